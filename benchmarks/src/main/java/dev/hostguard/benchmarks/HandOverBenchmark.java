package dev.hostguard.benchmarks;

import dev.hostguard.agent.bootstrap.Hooks;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * What handing a task over to a JDK executor costs with HostGuard, which wraps tasks handed over inside a guarded
 * request ({@code ThreadPoolExecutor.execute}, {@code ScheduledThreadPoolExecutor.schedule*} call
 * {@link Hooks#wrap(Runnable)}) and remembers fork/join tasks in a side table ({@code ForkJoinTask.fork} and the
 * pool's submission call {@link Hooks#forkJoinTaskHandedOver}, {@code ForkJoinTask.doExec}
 * {@link Hooks#forkJoinTaskStarts}).
 *
 * <ul>
 *   <li>{@code wrapOutsideRequest_agent} against {@code baseline_agent}: the hook alone, on a thread in no request.
 *       Target: one thread-local read, 0 bytes.</li>
 *   <li>{@code tpeExecute}, {@code fjpExecute} and their {@code _agent} twins: one submission to a pool whose only
 *       worker is busy, outside any request, without HostGuard and with it. The task goes into the queue and the
 *       benchmark thread takes it back out ({@code poll}), so nothing runs, the queue never grows, no thread is
 *       woken, and what is timed is the submission path that the advice changes (plus one uncontended poll, the same
 *       in both configurations). {@code tpeRoundTrip}: {@code submit(task).get()} on an idle single-thread pool,
 *       the whole hand-over a caller waits for (queue, wake-up, run, completion), for scale.</li>
 *   <li>{@code wrapInRequest_agent}: the hook on a thread inside a guarded request (a fake JDK {@code HttpExchange},
 *       with an {@code X-API-Key} header or none; both classes are guarded): the capture and the wrapper.
 *       {@code forkJoinTaskInRequest_agent}: the same for a fork/join task (capture, side-table entry, its removal
 *       at the start); {@code forkJoinTaskStartsOutsideRequest_agent}: what every fork/join task's start pays
 *       outside requests.</li>
 * </ul>
 *
 * <p>A request's first capture classifies it (header lookups, the key's SHA-256); later ones reuse that and read
 * again only what a filter may change on the same request object (principal, scheme, certificate). The scope is
 * entered once per iteration, so the in-request figures are those of a request's later hand-overs; its first one
 * costs a classification more, which an operation judged in the request would pay anyway.</p>
 *
 * <p>The request scope is entered and left around each measurement iteration ({@code Level.Iteration}), on the
 * thread that measures: balanced, with no per-call bookkeeping in the timed loop.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class HandOverBenchmark {
    /** An API key for the fake requests. Only its SHA-256 fingerprint is ever kept. */
    static final String KEY = "hostguard-bench-key-0123456789";

    /** The task handed over; in the executor benchmarks it never runs (it is taken back off the queue). */
    private Runnable task = HandOverBenchmark::noop;
    private long eventsBefore;

    private static void noop() {
        // nothing on purpose
    }

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        Agent.requireConfiguration(params);
        if (Agent.attached()) {
            WithAgent.requireBootHooks();
        }
        eventsBefore = Agent.eventsSize();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        // inside the fake request no host operation happens: capturing it must write no event either
        Agent.requireNoEventsSince(eventsBefore);
    }

    // ---- the hook alone ----

    /** The loop and returning the task: what {@code wrapOutsideRequest_agent} would cost with a free hook. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public Runnable baseline_agent() {
        return task;
    }

    /** {@code Hooks.wrap(task)} on a thread in no request: returns the task itself. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public Runnable wrapOutsideRequest_agent() {
        return Hooks.wrap(task);
    }

    /** {@code Hooks.wrap(task)} inside a guarded request: captures the request and wraps the task. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public Runnable wrapInRequest_agent(Requests.Guarded request) {
        return Hooks.wrap(task);
    }

    /**
     * A whole request that hands one task over: enter the scope, wrap (the request's first capture, so it classifies
     * the request), leave. Against {@code requestOnly_agent}, the first hand-over's own cost.
     */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public Runnable wrapFirstInRequest_agent(RequestObject request) {
        Object token = Hooks.requestEnter(request.exchange, request.exchange);
        try {
            return Hooks.wrap(task);
        } finally {
            Hooks.requestExit(token, null);
        }
    }

    /** A whole request that hands nothing over: enter the scope, leave. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public Object requestOnly_agent(RequestObject request) {
        Object token = Hooks.requestEnter(request.exchange, request.exchange);
        Hooks.requestExit(token, null);
        return token;
    }

    /**
     * A fork/join task forked inside a guarded request and started: the capture, its side-table entry, and the
     * entry's removal where the task starts ({@code ForkJoinTask.fork} and {@code doExec} call these).
     */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public Object forkJoinTaskInRequest_agent(Requests.Guarded request) {
        Hooks.forkJoinTaskHandedOver(task);
        Object token = Hooks.forkJoinTaskStarts(task);
        Hooks.taskEnded(token);
        return token;
    }

    /** A fork/join task's start outside any request, with nothing remembered: the hook on every task's run. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public Object forkJoinTaskStartsOutsideRequest_agent() {
        Object token = Hooks.forkJoinTaskStarts(task);
        Hooks.taskEnded(token);
        return token;
    }

    // ---- submissions outside any request ----

    /** {@code ThreadPoolExecutor.execute(task)} into a busy pool's one-slot queue, then taken back out; no agent. */
    @Benchmark
    public Runnable tpeExecute(BusyThreadPool pool) {
        pool.executor.execute(task);
        return pool.queue.poll();
    }

    /** As {@link #tpeExecute}, HostGuard attached. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public Runnable tpeExecute_agent(BusyThreadPool pool) {
        pool.executor.execute(task);
        return pool.queue.poll();
    }

    /** {@code ForkJoinPool.execute(task)} into a busy pool, then taken back out ({@code pollSubmission}); no agent. */
    @Benchmark
    public ForkJoinTask<?> fjpExecute(BusyForkJoinPool pool) {
        pool.pool.execute(task);
        return pool.pool.takeSubmission();
    }

    /** As {@link #fjpExecute}, HostGuard attached. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public ForkJoinTask<?> fjpExecute_agent(BusyForkJoinPool pool) {
        pool.pool.execute(task);
        return pool.pool.takeSubmission();
    }

    /** {@code submit(task).get()} on an idle single-thread pool: the whole hand-over; no agent. */
    @Benchmark
    public Object tpeRoundTrip(IdleThreadPool pool) throws ExecutionException, InterruptedException {
        return pool.executor.submit(task).get();
    }

    /** As {@link #tpeRoundTrip}, HostGuard attached. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public Object tpeRoundTrip_agent(IdleThreadPool pool) throws ExecutionException, InterruptedException {
        return pool.executor.submit(task).get();
    }

    // ---- states ----

    /** A fake guarded request (as {@link Requests.Guarded}) the benchmark enters and leaves itself. */
    @State(Scope.Thread)
    public static class RequestObject {
        @Param({"api-key", "none"})
        public String credentials;

        FakeExchange exchange;

        @Setup(Level.Trial)
        public void setUp(BenchmarkParams params) {
            Agent.requireConfiguration(params);  // before Hooks is touched
            exchange = Requests.exchange(credentials);
        }
    }

    /**
     * A {@code ThreadPoolExecutor} of one thread, kept busy by a task that waits for the trial's end, with a
     * one-slot {@code ArrayBlockingQueue}: each {@code execute} takes the usual path of a saturated pool (offer to
     * the queue) and allocates nothing of its own; a second task without a poll in between would be rejected.
     */
    @State(Scope.Thread)
    public static class BusyThreadPool {
        final ArrayBlockingQueue<Runnable> queue = new ArrayBlockingQueue<>(1);
        ThreadPoolExecutor executor;
        private final CountDownLatch release = new CountDownLatch(1);

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, queue);
            CountDownLatch busy = new CountDownLatch(1);
            executor.execute(() -> {
                busy.countDown();
                awaitUninterruptibly(release);
            });
            busy.await();
            Runnable probe = HandOverBenchmark::noop;
            executor.execute(probe);
            if (queue.poll() != probe) {
                throw new IllegalStateException("outside a request the pool must queue the task itself");
            }
            if (Agent.attached()) {
                WithAgent.requireWrappedInRequest(new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>()), "ThreadPoolExecutor.execute");
            }
        }

        @TearDown(Level.Iteration)
        public void check() {
            if (!queue.isEmpty() || executor.getPoolSize() != 1 || executor.getCompletedTaskCount() != 0) {
                throw new IllegalStateException("the busy pool ran or kept a task: " + executor);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            release.countDown();
            executor.shutdown();
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** A {@code ForkJoinPool} whose submissions the benchmark thread can take back out. */
    static final class DrainableForkJoinPool extends ForkJoinPool {
        DrainableForkJoinPool() {
            // parallelism 1, at most 1 thread, never a compensating one: the busy worker stays the only worker
            super(1, ForkJoinPool.defaultForkJoinWorkerThreadFactory, null, false, 0, 1, 1, pool -> true, 60,
                    TimeUnit.SECONDS);
        }

        ForkJoinTask<?> takeSubmission() {
            return pollSubmission();
        }
    }

    /**
     * A {@code ForkJoinPool} of one worker, kept busy by a task that waits for the trial's end: each external
     * {@code execute} pushes the task (in the JDK's adapter) to a submission queue, finds no idle worker to wake
     * and none to create, and the benchmark thread polls it back out.
     */
    @State(Scope.Thread)
    public static class BusyForkJoinPool {
        DrainableForkJoinPool pool;
        private final CountDownLatch release = new CountDownLatch(1);

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            pool = new DrainableForkJoinPool();
            CountDownLatch busy = new CountDownLatch(1);
            pool.execute(() -> {
                busy.countDown();
                awaitUninterruptibly(release);
            });
            busy.await();
            pool.execute(HandOverBenchmark::noop);
            if (pool.takeSubmission() == null || pool.getQueuedSubmissionCount() != 0) {
                throw new IllegalStateException("the busy fork/join pool did not keep the submission: " + pool);
            }
            if (Agent.attached()) {
                WithAgent.requireWrappedInRequest(new ForkJoinPool(1), "ForkJoinPool's submission");
            }
        }

        @TearDown(Level.Iteration)
        public void check() {
            if (pool.getQueuedSubmissionCount() != 0 || pool.getPoolSize() != 1) {
                throw new IllegalStateException("the busy fork/join pool kept a task or grew: " + pool);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            release.countDown();
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** A single-thread {@code ThreadPoolExecutor}, idle between submissions. */
    @State(Scope.Thread)
    public static class IdleThreadPool {
        ThreadPoolExecutor executor;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
            executor.prestartAllCoreThreads();
            if (Agent.attached()) {
                WithAgent.requireWrappedInRequest(new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>()), "ThreadPoolExecutor.execute");
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            executor.shutdown();
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Checks that touch the agent's classes: loaded only in forks with HostGuard attached. */
    static final class WithAgent {
        private WithAgent() {
        }

        static void requireBootHooks() {
            ClassLoader loader = Hooks.class.getClassLoader();
            if (loader != null) {
                throw new IllegalStateException(Agent.HOOKS + " was loaded by " + loader + ", not by the boot "
                        + "loader: HostGuard is not attached as -javaagent, so this would measure a copy the hooks "
                        + "never call");
            }
        }

        /**
         * Fails unless HostGuard's hand-over advice is woven into this executor class: a task submitted inside a
         * guarded request must run working for that request. Without it an {@code _agent} figure could be one of
         * an executor the agent left alone. The pool is shut down afterwards.
         */
        static void requireWrappedInRequest(ExecutorService pool, String site) throws Exception {
            try {
                pool.submit(HandOverBenchmark::noop).get(10, TimeUnit.SECONDS);  // its worker exists before the request
                boolean[] wrapped = new boolean[1];
                Runnable probe = () -> wrapped[0] = Hooks.propagating();
                FakeExchange exchange = new FakeExchange("X-API-Key", KEY);
                Object token = Hooks.requestEnter(exchange, exchange);
                Future<?> done;
                try {
                    done = pool.submit(probe);
                } finally {
                    Hooks.requestExit(token, null);
                }
                done.get(10, TimeUnit.SECONDS);
                if (!wrapped[0]) {
                    throw new IllegalStateException("a task handed to " + site + " inside a guarded request ran "
                            + "unwrapped: HostGuard's hand-over advice is not in " + pool.getClass().getName());
                }
            } catch (TimeoutException e) {
                throw new IllegalStateException("the probe task never ran", e);
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
