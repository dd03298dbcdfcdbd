package dev.hostguard.agent.instrument;

import static dev.hostguard.agent.instrument.HookFamily.takes;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isBridge;
import static net.bytebuddy.matcher.ElementMatchers.isPrivate;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.hostguard.agent.bootstrap.Hooks;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadPoolExecutor;
import net.bytebuddy.asm.Advice;

/**
 * Work handed over inside a request keeps the request: tasks given to the JDK's thread pools are wrapped where they
 * are handed over ({@code ThreadPoolExecutor.execute}, which every {@code submit} and {@code invokeAll} reaches;
 * the scheduled executor's {@code schedule*}); threads started inside a request inherit it through the facade's
 * inheritable scope. Tasks whose identity matters cannot be wrapped: fork/join tasks (forked, as parallel streams
 * do, or submitted to a pool, as {@code CompletableFuture}'s async methods do) and {@code TimerTask}s are
 * remembered in a side table where they are handed over and work for their request where they run
 * ({@code ForkJoinTask.doExec}, every application {@code TimerTask.run}). Worker loops drop what their thread
 * inherited, so a worker born inside a request does not carry it into tasks handed over later, outside any
 * request. A request's thread that waits for refused work ({@code get}, {@code join} of the JDK's futures) takes
 * the refusal on as its own, for the request's 403.
 */
final class HandOverHooks implements HookFamily {
    /** Also the advice of {@code AsyncContext.start} (see {@link ServletHooks}). */
    static final String WRAP_RUNNABLE = HandOverHooks.class.getName() + "$WrapRunnableAdvice";
    /** Also the advice of Netty's future waits (see {@link NettyExecutorHooks}). */
    static final String WAIT_FAILED = HandOverHooks.class.getName() + "$WaitFailedAdvice";

    @Override
    public String name() {
        return "hand-over";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(
                HookTarget.jdk("java.util.concurrent.ThreadPoolExecutor",
                        wrapRunnable("ThreadPoolExecutor.execute", "execute", 1),
                        new HookSite("ThreadPoolExecutor.runWorker", "runWorker", takesArguments(1),
                                advice("WorkerStartAdvice"), true),
                        new HookSite("ThreadPoolExecutor.remove", "remove", takes(Runnable.class),
                                advice("RemoveWrappedAdvice"), true),
                        new HookSite("ThreadPoolExecutor.shutdownNow", "shutdownNow", takesArguments(0),
                                advice("UnwrapDrainedAdvice"), true)),
                HookTarget.jdk("java.util.concurrent.ScheduledThreadPoolExecutor",
                        wrapRunnable("ScheduledThreadPoolExecutor.schedule(Runnable)", "schedule", 3),
                        wrapRunnable("ScheduledThreadPoolExecutor.scheduleAtFixedRate", "scheduleAtFixedRate", 4),
                        wrapRunnable("ScheduledThreadPoolExecutor.scheduleWithFixedDelay", "scheduleWithFixedDelay", 4),
                        new HookSite("ScheduledThreadPoolExecutor.schedule(Callable)", "schedule", takesArguments(3)
                                .and(takesArgument(0, named(Callable.class.getName()))).and(not(isBridge())),
                                advice("WrapCallableAdvice"), true)),
                HookTarget.jdk("java.util.concurrent.ForkJoinPool",
                        new HookSite("ForkJoinPool.externalSubmit (JDK 17-18)", "externalSubmit",
                                takesArguments(1).and(isPrivate()), advice("ForkJoinSubmitAdvice"), false),
                        new HookSite("ForkJoinPool.poolSubmit (JDK 19+)", "poolSubmit", takesArguments(2),
                                advice("ForkJoinPoolSubmitAdvice"), false)),
                HookTarget.jdk("java.util.concurrent.ForkJoinTask",
                        new HookSite("ForkJoinTask.fork", "fork", takesArguments(0), advice("ForkAdvice"), true),
                        new HookSite("ForkJoinTask.doExec", "doExec", takesArguments(0),
                                advice("ForkJoinTaskRunAdvice"), true),
                        waitFor("ForkJoinTask.get()", "get", 0),
                        waitFor("ForkJoinTask.get(timeout)", "get", 2),
                        waitFor("ForkJoinTask.join", "join", 0),
                        waitFor("ForkJoinTask.invoke", "invoke", 0)),
                HookTarget.jdk("java.util.concurrent.FutureTask",
                        waitFor("FutureTask.get()", "get", 0),
                        waitFor("FutureTask.get(timeout)", "get", 2)),
                HookTarget.jdk("java.util.concurrent.CompletableFuture",
                        waitFor("CompletableFuture.get()", "get", 0),
                        waitFor("CompletableFuture.get(timeout)", "get", 2),
                        waitFor("CompletableFuture.join", "join", 0),
                        waitFor("CompletableFuture.getNow", "getNow", 1)),
                HookTarget.jdk("java.util.concurrent.ForkJoinWorkerThread", new HookSite("ForkJoinWorkerThread.run",
                        "run", takesArguments(0), advice("WorkerStartAdvice"), true)),
                HookTarget.jdk("java.util.Timer", new HookSite("Timer.sched", "sched", takesArguments(3)
                        .and(takesArgument(0, named("java.util.TimerTask"))), advice("TimerScheduleAdvice"), true)),
                HookTarget.jdk("java.util.TimerThread", new HookSite("TimerThread.run", "run", takesArguments(0),
                        advice("WorkerStartAdvice"), true)),
                HookTarget.subTypesOf(Set.of("java.util.TimerTask"), new HookSite("TimerTask.run", "run",
                        takesArguments(0).and(not(isAbstract())), advice("TimerTaskRunAdvice"), false)));
    }

    /** A wait for work's result, which fails when the work failed. */
    private HookSite waitFor(String site, String name, int arguments) {
        return new HookSite(site, name, takesArguments(arguments).and(not(isBridge())), advice("WaitFailedAdvice"),
                true);
    }

    /** The one method named {@code name} with {@code arguments} arguments, the first a {@code Runnable}. */
    private static HookSite wrapRunnable(String site, String name, int arguments) {
        return new HookSite(site, name, takesArguments(arguments)
                .and(takesArgument(0, named(Runnable.class.getName()))).and(not(isBridge())), WRAP_RUNNABLE, true);
    }

    static final class WrapRunnableAdvice {
        private WrapRunnableAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(value = 0, readOnly = false) Runnable task) {
            task = Hooks.wrap(task);
        }
    }

    static final class WrapCallableAdvice {
        private WrapCallableAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(value = 0, readOnly = false) Callable<?> task) {
            task = Hooks.wrap(task);
        }
    }

    /** {@code remove(task)} also finds a task queued in our wrapper. */
    static final class RemoveWrappedAdvice {
        private RemoveWrappedAdvice() {
        }

        @Advice.OnMethodExit
        static void exit(@Advice.This ThreadPoolExecutor pool, @Advice.Argument(0) Runnable task,
                         @Advice.Return(readOnly = false) boolean removed) {
            if (!removed) {
                removed = Hooks.removeWrapped(pool.getQueue(), task);
            }
        }
    }

    /** {@code shutdownNow()} returns the tasks the application handed over, not our wrappers. */
    static final class UnwrapDrainedAdvice {
        private UnwrapDrainedAdvice() {
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Return List<Runnable> drained) {
            Hooks.unwrapAll(drained);
        }
    }

    /** JDK 17-18: every submission to a fork/join pool from outside it ({@code execute}, {@code submit}, ...). */
    static final class ForkJoinSubmitAdvice {
        private ForkJoinSubmitAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object task) {
            Hooks.forkJoinTaskHandedOver(task);
        }
    }

    /** JDK 19+: as {@link ForkJoinSubmitAdvice}; the task is the second argument. */
    static final class ForkJoinPoolSubmitAdvice {
        private ForkJoinPoolSubmitAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(1) Object task) {
            Hooks.forkJoinTaskHandedOver(task);
        }
    }

    static final class ForkAdvice {
        private ForkAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object task) {
            Hooks.forkJoinTaskHandedOver(task);
        }
    }

    static final class ForkJoinTaskRunAdvice {
        private ForkJoinTaskRunAdvice() {
        }

        @Advice.OnMethodEnter
        static Object enter(@Advice.This Object task) {
            return Hooks.forkJoinTaskStarts(task);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object token) {
            Hooks.taskEnded(token);
        }
    }

    /** A request's handler that waits for its work sees a refusal there fail its wait: it is the request's too. */
    static final class WaitFailedAdvice {
        private WaitFailedAdvice() {
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Thrown Throwable failure) {
            if (failure != null) {
                Hooks.waitFailed(failure);
            }
        }
    }

    static final class TimerScheduleAdvice {
        private TimerScheduleAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object task) {
            Hooks.timerTaskScheduled(task);
        }
    }

    /** On the {@code run} of every application {@code TimerTask}: the task, not its thread, knows its request. */
    static final class TimerTaskRunAdvice {
        private TimerTaskRunAdvice() {
        }

        @Advice.OnMethodEnter
        static Object enter(@Advice.This Object task) {
            return Hooks.timerTaskStarts(task);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object token) {
            Hooks.taskEnded(token);
        }
    }

    static final class WorkerStartAdvice {
        private WorkerStartAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter() {
            Hooks.workerStarted();
        }
    }
}
