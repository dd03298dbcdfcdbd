package dev.hostguard.demo;

import java.lang.reflect.Method;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.slf4j.LoggerFactory;

/**
 * Ways a handler hands its work to another thread: the hand-over process actions of {@link Actions}. Each takes the
 * work (a process start and its wait) and, except {@link #fireAndForget} and {@link #timer}, waits for its result and rethrows what the
 * work threw (the cause, not an {@code ExecutionException}).
 *
 * <p>The pool, the scheduler and the timer are created when this class is initialized ({@link #initialize()}, called from
 * {@code Actions}' static initializer at boot), long before any request; their worker threads are started lazily,
 * by the first task, as the JDK's executors do. The pool has ONE worker, so every task it ever runs (also the
 * {@link #startPoolTick boot-time tick}) runs on the worker its first task created.
 */
final class HandOvers {

    /** Longer than a process action's own limit, so the work's own timeout is what reports a hung command. */
    private static final long WAIT_SECONDS = ProcessOutcome.TIMEOUT_SECONDS + 5;

    private static final ThreadPoolExecutor POOL =
            (ThreadPoolExecutor) Executors.newFixedThreadPool(1, daemons("demo-pool-"));
    private static final ScheduledExecutorService SCHEDULER =
            Executors.newSingleThreadScheduledExecutor(daemons("demo-scheduler-"));
    /** Its thread starts with it, at boot. */
    private static final Timer TIMER = new Timer("demo-timer", true);
    /** How long after answering the {@link #timer} work fires: well after the response went out. */
    private static final long TIMER_DELAY_MILLIS = 200;

    /** The work handed over: returns the action's result. */
    @FunctionalInterface
    interface Work extends Callable<String> {
    }

    private HandOvers() {
    }

    /** Initializes the class, so the pool, the scheduler and the timer exist from boot on. */
    static void initialize() {
        // the call itself runs the static initializer
    }

    /** {@code new Thread(task).start()}, then waits for it. */
    static String thread(Work work) throws Exception {
        FutureTask<String> task = new FutureTask<>(work);
        new Thread(task, "demo-handover").start();
        return await(task);
    }

    /** {@code submit} to the fixed pool created at class-init, then waits. */
    static String pool(Work work) throws Exception {
        return await(POOL.submit(work));
    }

    /** {@code schedule(callable, 10 ms)} on the scheduler created at class-init, then waits. */
    static String scheduled(Work work) throws Exception {
        return await(SCHEDULER.schedule(work, 10, TimeUnit.MILLISECONDS));
    }

    /** {@code CompletableFuture.supplyAsync} (the common fork/join pool), then waits. */
    static String completableFuture(Work work) throws Exception {
        return await(CompletableFuture.supplyAsync(() -> {
            try {
                return work.call();
            } catch (Exception e) {
                throw new CompletionException(e); // get() reports the cause inside an ExecutionException
            }
        }));
    }

    /**
     * {@code Thread.ofVirtual().name("demo-virtual").start(task)} (JDK 21+), called reflectively so the demo compiles for 17, then waits.
     *
     * @throws IllegalStateException on a JDK without virtual threads
     */
    static String virtualThread(Work work) throws Exception {
        Method ofVirtual;
        Method name;
        Method start;
        try {
            ofVirtual = Thread.class.getMethod("ofVirtual");
            Class<?> builder = Class.forName("java.lang.Thread$Builder");
            name = builder.getMethod("name", String.class);
            start = builder.getMethod("start", Runnable.class);
        } catch (NoSuchMethodException | ClassNotFoundException e) {
            throw new IllegalStateException("virtual-thread needs JDK 21 or later; this is JDK "
                    + Runtime.version().feature());
        }
        FutureTask<String> task = new FutureTask<>(work);
        // named: a virtual thread has no name of its own
        Unwrapped.call(() -> start.invoke(name.invoke(ofVirtual.invoke(null), "demo-virtual"), task));
        return await(task);
    }

    /** {@code submit} to the pool and answer at once: the work runs after the response was sent. */
    static String fireAndForget(Work work) {
        POOL.execute(() -> {
            try {
                work.call();
            } catch (Exception e) {
                // looked up here, not in a static field: Actions' table (and so this class) is also used
                // where slf4j is not on the class path (the integration tests' own JVM)
                LoggerFactory.getLogger(HandOvers.class).warn("fire-and-forget work failed: {}", e.toString());
            }
        });
        return "submitted";
    }

    /**
     * Schedules the work on the {@link Timer} created at boot, {@value #TIMER_DELAY_MILLIS} ms from now, and answers
     * at once: the work fires from the timer's thread after the response was sent.
     */
    static String timer(Work work) {
        TIMER.schedule(new TimerTask() {
            @Override
            public void run() {
                try {
                    work.call();
                } catch (Exception e) {
                    LoggerFactory.getLogger(HandOvers.class).warn("timer work failed: {}", e.toString());
                }
            }
        }, TIMER_DELAY_MILLIS);
        return "submitted";
    }

    /**
     * A parallel stream over a few elements: the first element a common-pool worker takes runs the work, the
     * elements the request's own thread takes wait (bounded) until it did, so the work always runs on a worker
     * that stole a subtask, never on the request's thread. Rethrows what the work threw.
     */
    static String parallelStream(Work work) throws Exception {
        CountDownLatch ranOnWorker = new CountDownLatch(1);
        AtomicBoolean claimed = new AtomicBoolean();
        AtomicReference<String> result = new AtomicReference<>();
        try {
            IntStream.range(0, 8).parallel().forEach(i -> {
                if (Thread.currentThread() instanceof ForkJoinWorkerThread && claimed.compareAndSet(false, true)) {
                    try {
                        result.set(work.call());
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    } finally {
                        ranOnWorker.countDown();
                    }
                } else {
                    awaitWorker(ranOnWorker);
                }
            });
        } catch (CompletionException e) {
            throw Unwrapped.rethrowable(workFailure(e));
        }
        return result.get();
    }

    /**
     * A {@code RecursiveAction} invoked on the request's thread that forks a child running the work and joins it
     * once a common-pool worker took it, so the work runs on that worker. Rethrows what the work threw.
     */
    static String forkJoin(Work work) throws Exception {
        AtomicReference<String> result = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        RecursiveAction child = new RecursiveAction() {
            @Override
            protected void compute() {
                started.countDown();
                try {
                    result.set(work.call());
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }
        };
        RecursiveAction parent = new RecursiveAction() {
            @Override
            protected void compute() {
                child.fork();
                awaitWorker(started);
                child.join();
            }
        };
        try {
            parent.invoke();
        } catch (CompletionException e) {
            throw Unwrapped.rethrowable(workFailure(e));
        }
        return result.get();
    }

    /**
     * What the work threw, out of the {@code CompletionException} it was carried in (which a join on another
     * thread may have copied, with the original as its cause).
     */
    private static Throwable workFailure(CompletionException e) {
        Throwable t = e;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static void awaitWorker(CountDownLatch latch) {
        try {
            if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no common-pool worker took the work within " + WAIT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts, at boot and so outside any request, a daemon thread that every {@code periodMillis} has the pool run
     * {@code true} and prints {@code hostguard-demo pool tick exit=<code> on <worker thread>} on stdout, and has the
     * common fork/join pool do the same ({@code hostguard-demo common-pool tick ...}). It only uses workers that
     * exist (it never makes a pool start one), so they are the ones the first handed-over tasks created, possibly
     * inside a request: what a worker inherited there must not follow its later work outside requests.
     */
    static void startPoolTick(long periodMillis) {
        Thread tick = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(periodMillis); // the tick's period
                } catch (InterruptedException e) {
                    return;
                }
                if (POOL.getPoolSize() > 0) {
                    tick("pool", POOL::submit);
                }
                if (ForkJoinPool.commonPool().getPoolSize() > 0) {
                    tick("common-pool", ForkJoinPool.commonPool()::submit);
                }
            }
        }, "demo-pool-tick");
        tick.setDaemon(true);
        tick.start();
    }

    /** Has {@code pool} run {@code true} and prints what happened. */
    private static void tick(String name, Function<Callable<String>, Future<String>> pool) {
        try {
            String line = pool.apply(() -> ProcessOutcome.await(new ProcessBuilder("true").start())
                    .lines().findFirst().orElse("") + " on " + Thread.currentThread().getName())
                    .get(WAIT_SECONDS, TimeUnit.SECONDS);
            System.out.println("hostguard-demo " + name + " tick " + line);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            System.out.println("hostguard-demo " + name + " tick failed: " + e);
        }
    }

    private static String await(Future<String> result) throws Exception {
        try {
            return result.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw Unwrapped.rethrowable(e.getCause());
        } catch (TimeoutException e) {
            result.cancel(true);
            throw new TimeoutException("handed-over work did not finish within " + WAIT_SECONDS + " s");
        }
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread t = new Thread(task, prefix + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
