package dev.hostguard.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.isBridge;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.hostguard.agent.bootstrap.Hooks;
import java.util.List;
import java.util.concurrent.Callable;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Work handed over inside a request keeps the request: tasks given to the JDK's executors are wrapped where they
 * are handed over ({@code ThreadPoolExecutor.execute}, which every {@code submit} and {@code invokeAll} reaches;
 * the scheduled executor's {@code schedule*}; the fork/join pool's {@code execute}/{@code submit} of plain tasks,
 * behind {@code CompletableFuture}'s async methods); threads started inside a request inherit it through the
 * facade's inheritable scope. Worker loops drop what their thread inherited, so a worker born inside a request
 * does not carry it into tasks handed over later, outside any request.
 */
final class HandOverHooks implements HookFamily {

    @Override
    public String name() {
        return "hand-over";
    }

    @Override
    public List<HookTarget> targets() {
        ElementMatcher.Junction<MethodDescription> callableFirst = takesArgument(0, Callable.class).and(not(isBridge()));
        return List.of(
                HookTarget.jdk("java.util.concurrent.ThreadPoolExecutor",
                        wrapRunnable("ThreadPoolExecutor.execute", "execute", 1),
                        new HookSite("ThreadPoolExecutor.runWorker", named("runWorker").and(takesArguments(1)),
                                WorkerStartAdvice.class, true)),
                HookTarget.jdk("java.util.concurrent.ScheduledThreadPoolExecutor",
                        wrapRunnable("ScheduledThreadPoolExecutor.schedule(Runnable)", "schedule", 3),
                        wrapRunnable("ScheduledThreadPoolExecutor.scheduleAtFixedRate", "scheduleAtFixedRate", 4),
                        wrapRunnable("ScheduledThreadPoolExecutor.scheduleWithFixedDelay", "scheduleWithFixedDelay", 4),
                        new HookSite("ScheduledThreadPoolExecutor.schedule(Callable)", named("schedule")
                                .and(takesArguments(3)).and(callableFirst), WrapCallableAdvice.class, true)),
                HookTarget.jdk("java.util.concurrent.ForkJoinPool",
                        wrapRunnable("ForkJoinPool.execute(Runnable)", "execute", 1),
                        wrapRunnable("ForkJoinPool.submit(Runnable)", "submit", 1),
                        wrapRunnable("ForkJoinPool.submit(Runnable, T)", "submit", 2),
                        new HookSite("ForkJoinPool.submit(Callable)", named("submit").and(takesArguments(1))
                                .and(callableFirst), WrapCallableAdvice.class, true)),
                HookTarget.jdk("java.util.concurrent.ForkJoinWorkerThread", new HookSite("ForkJoinWorkerThread.run",
                        named("run").and(takesArguments(0)), WorkerStartAdvice.class, true)),
                HookTarget.jdk("java.util.TimerThread", new HookSite("TimerThread.run",
                        named("run").and(takesArguments(0)), WorkerStartAdvice.class, true)));
    }

    /** The one method named {@code name} with {@code arguments} arguments, the first a {@code Runnable}. */
    private static HookSite wrapRunnable(String site, String name, int arguments) {
        return new HookSite(site, named(name).and(takesArguments(arguments)).and(takesArgument(0, Runnable.class))
                .and(not(isBridge())), WrapRunnableAdvice.class, true);
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

    static final class WorkerStartAdvice {
        private WorkerStartAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter() {
            Hooks.workerStarted();
        }
    }
}
