package dev.hostguard.demo;

import java.lang.reflect.Method;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/**
 * Ways a handler hands its work to another thread: the hand-over process actions of {@link Actions}. Each takes the
 * work (a process start and its wait) and, except {@link #fireAndForget}, waits for its result and rethrows what the
 * work threw (the cause, not an {@code ExecutionException}).
 *
 * <p>The pool and the scheduler are created when this class is initialized ({@link #initialize()}, called from
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

    /** The work handed over: returns the action's result. */
    @FunctionalInterface
    interface Work extends Callable<String> {
    }

    private HandOvers() {
    }

    /** Initializes the class, so the pool and the scheduler exist from boot on. */
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
     * Starts, at boot and so outside any request, a daemon thread that every {@code periodMillis} has the pool run
     * {@code true} and prints {@code hostguard-demo pool tick exit=<code> on <worker thread>} on stdout. It only
     * uses a worker that exists (it never makes the pool start one), so the pool's worker is the one the first
     * handed-over task created, possibly inside a request: what a worker inherited there must not follow its later
     * work outside requests.
     */
    static void startPoolTick(long periodMillis) {
        Thread tick = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(periodMillis); // the tick's period
                    if (POOL.getPoolSize() > 0) {
                        String line = POOL.submit(() -> ProcessOutcome.await(new ProcessBuilder("true").start())
                                .lines().findFirst().orElse("") + " on " + Thread.currentThread().getName())
                                .get(WAIT_SECONDS, TimeUnit.SECONDS);
                        System.out.println("hostguard-demo pool tick " + line);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    System.out.println("hostguard-demo pool tick failed: " + e);
                }
            }
        }, "demo-pool-tick");
        tick.setDaemon(true);
        tick.start();
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
