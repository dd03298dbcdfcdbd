package dev.hostguard.agent;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;

/**
 * Bytes a piece of code allocates on the calling thread, per call: HotSpot's per-thread allocation counter
 * ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}) read around many calls, after a warm-up that
 * lets the JIT compile the code (interpreter, C1, then C2), best of a few attempts so that a stray allocation of the
 * runtime itself (a deoptimisation, a class initialised late) does not count. The counter's own reading costs are
 * measured right after each attempt and subtracted.
 *
 * <p>Bound used by the allocation tests: under 0.5 bytes per call on average over 100,000 calls, i.e. not one object
 * in 100,000 calls (the smallest object is 16 bytes) beyond measurement noise.
 */
public final class AllocationMeter {
    /** Calls per measured attempt and per warm-up round. */
    public static final int CALLS = 100_000;
    /** The bound on the average: less than one 16-byte object in 30,000 calls. */
    public static final double ZERO_BYTES_PER_CALL = 0.5;

    private static final int WARM_UP_ROUNDS = 20;
    private static final int ATTEMPTS = 5;

    /** The code under measurement: {@code calls} calls of it. */
    @FunctionalInterface
    public interface Calls {
        void run(int calls) throws Exception;
    }

    private final com.sun.management.ThreadMXBean threads;

    private AllocationMeter(com.sun.management.ThreadMXBean threads) {
        this.threads = threads;
    }

    /** The meter, or the test is skipped (aborted) on a JVM without a per-thread allocation counter. */
    public static AllocationMeter require() {
        java.lang.management.ThreadMXBean plain = ManagementFactory.getThreadMXBean();
        assumeTrue(plain instanceof com.sun.management.ThreadMXBean, "no allocation counter on this JVM");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) plain;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "no allocation counter on this JVM");
        threads.setThreadAllocatedMemoryEnabled(true);
        return new AllocationMeter(threads);
    }

    /** @return the fewest bytes per call the calling thread allocated in one of the measured attempts */
    public double bytesPerCall(Calls calls) throws Exception {
        for (int round = 0; round < WARM_UP_ROUNDS; round++) {
            calls.run(CALLS);
        }
        long thread = Thread.currentThread().getId();
        double best = Double.MAX_VALUE;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            long before = threads.getThreadAllocatedBytes(thread);
            calls.run(CALLS);
            long after = threads.getThreadAllocatedBytes(thread);
            long calibrateBefore = threads.getThreadAllocatedBytes(thread);
            long calibrateAfter = threads.getThreadAllocatedBytes(thread);
            long bytes = Math.max(0, (after - before) - (calibrateAfter - calibrateBefore));
            best = Math.min(best, (double) bytes / CALLS);
        }
        return best;
    }
}
