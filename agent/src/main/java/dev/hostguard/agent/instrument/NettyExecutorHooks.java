package dev.hostguard.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.isBridge;
import static net.bytebuddy.matcher.ElementMatchers.isPrivate;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.hostguard.agent.bootstrap.Hooks;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * Work handed to a Netty event executor inside a guarded request keeps the request, as work handed to the JDK's
 * pools does ({@link HandOverHooks}): an event loop ({@code channel.eventLoop()}), a {@code DefaultEventExecutor},
 * the {@code GlobalEventExecutor}. Netty 4.1 and 4.2 alike:
 * <ul>
 *   <li>tasks are wrapped where they are queued: {@code SingleThreadEventExecutor.execute(Runnable, boolean)}, which
 *       {@code execute}, {@code lazyExecute} and every {@code submit} reach, from the executor's own thread or any
 *       other; {@code GlobalEventExecutor.addTask}. Netty's own cross-thread writes ({@code WriteTask}s from a
 *       worker that serves a request) are wrapped too: one wrapper each, inside guarded requests only;</li>
 *   <li>scheduled tasks ({@code schedule*}) are Netty's {@code ScheduledFutureTask}s, queued by the executor's own
 *       thread without {@code execute} and run by the executor itself, so they cannot be wrapped: they are remembered
 *       where they are scheduled ({@code AbstractScheduledEventExecutor.schedule(ScheduledFutureTask)}) and work for
 *       their request where they run ({@code ScheduledFutureTask.run});</li>
 *   <li>a request's handler that waits for such work ({@code sync()}, {@code syncUninterruptibly()}, whose
 *       {@code DefaultPromise.rethrowIfFailed} throws the work's failure; {@code get}) and fails because the work was
 *       refused (a connect or write on the event loop, say) takes the refusal for its own, as with the JDK's futures
 *       ({@code HandOverHooks}' wait advice): the request is answered with the 403;</li>
 *   <li>the executor's loop works for no request: a thread started for it inside a request (executors start their
 *       thread at the first task) drops what it inherited where the loop starts
 *       ({@code SingleThreadEventExecutor.updateLastExecutionTime}, called right before {@code run()};
 *       {@code GlobalEventExecutor}'s {@code TaskRunner.run}), so later tasks run as they were handed over.</li>
 * </ul>
 */
final class NettyExecutorHooks implements HookFamily {
    private static final String SINGLE_THREAD = "io.netty.util.concurrent.SingleThreadEventExecutor";
    private static final String SCHEDULED_TASK = "io.netty.util.concurrent.ScheduledFutureTask";

    @Override
    public String name() {
        return "netty-executor";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(
                HookTarget.library(SINGLE_THREAD,
                        new HookSite("SingleThreadEventExecutor.execute(Runnable, boolean)", "execute",
                                takesArguments(2).and(takesArgument(0, named(Runnable.class.getName())))
                                        .and(isPrivate()), HandOverHooks.WRAP_RUNNABLE, false),
                        new HookSite("SingleThreadEventExecutor.updateLastExecutionTime", "updateLastExecutionTime",
                                takesArguments(0), advice("LoopStartAdvice"), false)),
                HookTarget.library("io.netty.util.concurrent.AbstractScheduledEventExecutor",
                        new HookSite("AbstractScheduledEventExecutor.schedule(ScheduledFutureTask)", "schedule",
                                takesArguments(1).and(takesArgument(0, named(SCHEDULED_TASK))).and(isPrivate()),
                                advice("ScheduleAdvice"), false)),
                HookTarget.library(SCHEDULED_TASK,
                        new HookSite("ScheduledFutureTask.run", "run", takesArguments(0),
                                advice("ScheduledTaskRunAdvice"), false)),
                HookTarget.library("io.netty.util.concurrent.GlobalEventExecutor",
                        new HookSite("GlobalEventExecutor.addTask", "addTask",
                                takesArguments(1).and(takesArgument(0, named(Runnable.class.getName())))
                                        .and(isPrivate()), HandOverHooks.WRAP_RUNNABLE, false)),
                HookTarget.library("io.netty.util.concurrent.DefaultPromise",
                        new HookSite("DefaultPromise.rethrowIfFailed", "rethrowIfFailed",
                                takesArguments(0).and(isPrivate()), HandOverHooks.WAIT_FAILED, false),
                        new HookSite("DefaultPromise.get", "get", not(isBridge()).and(takesArguments(0)
                                .or(takesArguments(2))), HandOverHooks.WAIT_FAILED, false)),
                HookTarget.library("io.netty.util.concurrent.GlobalEventExecutor$TaskRunner",
                        new HookSite("GlobalEventExecutor.TaskRunner.run", "run", takesArguments(0),
                                advice("LoopStartAdvice"), false)));
    }

    static final class ScheduleAdvice {
        private ScheduleAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object task) {
            Hooks.eventExecutorTaskScheduled(task);
        }
    }

    static final class ScheduledTaskRunAdvice {
        private ScheduledTaskRunAdvice() {
        }

        @Advice.OnMethodEnter
        static Object enter(@Advice.This Object task) {
            return Hooks.eventExecutorTaskStarts(task);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.This Object task, @Advice.Enter Object token) {
            Hooks.eventExecutorTaskEnded(task, token);
        }
    }

    /** The executor's loop starts on its thread, or goes on to its next task: it works for no request itself. */
    static final class LoopStartAdvice {
        private LoopStartAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter() {
            Hooks.workerStarted();
        }
    }
}
