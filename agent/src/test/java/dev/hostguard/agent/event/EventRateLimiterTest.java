package dev.hostguard.agent.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EventRateLimiterTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final List<String> reports = new ArrayList<>();

    private void report(String rule, long second, long count) {
        reports.add(rule + "@" + second + "=" + count);
    }

    @Test
    void nPerRuleAndSecondThenOneCountPerRuleAndSecond() {
        EventRateLimiter limiter = new EventRateLimiter(3, now::get);
        for (int i = 0; i < 3; i++) {
            assertTrue(limiter.tryAcquire("process-start"));
        }
        assertFalse(limiter.tryAcquire("process-start"));
        assertFalse(limiter.tryAcquire("process-start"));
        assertTrue(limiter.tryAcquire("credentials"), "each rule has its own budget");
        limiter.drain(this::report);
        assertEquals(List.of(), reports, "the second is not over yet");

        now.addAndGet(1000);
        assertTrue(limiter.tryAcquire("process-start"), "a new second, a new budget");
        limiter.drain(this::report);
        assertEquals(List.of("process-start@1000=2"), reports);
        limiter.drain(this::report);
        assertEquals(1, reports.size(), "reported once");
    }

    @Test
    void aRuleThatWentQuietIsReportedByTheNextSweep() {
        EventRateLimiter limiter = new EventRateLimiter(1, now::get);
        limiter.tryAcquire("recon");
        limiter.tryAcquire("recon");
        now.addAndGet(5000);
        limiter.drain(this::report);
        assertEquals(List.of("recon@1000=1"), reports);
    }

    @Test
    void drainAllReportsTheCurrentSecondTooAndOnlyOnce() {
        EventRateLimiter limiter = new EventRateLimiter(1, now::get);
        limiter.tryAcquire("recon");
        limiter.tryAcquire("recon");
        now.addAndGet(1000);
        limiter.tryAcquire("recon");
        limiter.tryAcquire("recon");
        limiter.tryAcquire("recon");
        limiter.drainAll(this::report);
        assertEquals(List.of("recon@1000=3"), reports, "the finished second and the current one, merged");
        limiter.drainAll(this::report);
        now.addAndGet(1000);
        limiter.drain(this::report);
        assertEquals(1, reports.size(), "nothing is reported twice");
    }

    @Test
    void aLowerLimitFromAReloadCountsAtOnce() {
        EventRateLimiter limiter = new EventRateLimiter(100, now::get);
        limiter.tryAcquire("r");
        limiter.perSecond(1);
        assertFalse(limiter.tryAcquire("r"));
    }

    /**
     * A storm of 100,000 suppressed operations (several rules, many seconds) allocates nothing: the limiter's
     * state is one window per rule id, bounded by the policy, never by the traffic.
     */
    @Test
    void aStormOfSuppressedOperationsAllocatesNothing() {
        java.lang.management.ThreadMXBean plain = ManagementFactory.getThreadMXBean();
        assumeTrue(plain instanceof com.sun.management.ThreadMXBean, "no allocation counter on this JVM");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) plain;
        assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        long thread = Thread.currentThread().getId();
        String[] rules = {"process-start", "credentials", "proc-environ", "runtime-socket"};
        EventRateLimiter limiter = new EventRateLimiter(100, now::get);
        for (int round = 0; round < 20; round++) {
            storm(limiter, rules); // warm-up
        }
        double best = Double.MAX_VALUE;
        for (int attempt = 0; attempt < 5; attempt++) {
            long before = threads.getThreadAllocatedBytes(thread);
            int written = storm(limiter, rules);
            long after = threads.getThreadAllocatedBytes(thread);
            long calibrateBefore = threads.getThreadAllocatedBytes(thread);
            long calibrateAfter = threads.getThreadAllocatedBytes(thread);
            best = Math.min(best, (double) Math.max(0, (after - before) - (calibrateAfter - calibrateBefore)) / 100_000);
            assertEquals(4 * 100, written, "100 per rule in the storm's one second");
        }
        System.out.printf("[allocation] EventRateLimiter.tryAcquire in a storm: %.4f bytes per call%n", best);
        assertTrue(best < 0.5, best + " bytes per call");
    }

    private int storm(EventRateLimiter limiter, String[] rules) {
        now.addAndGet(1000);
        int written = 0;
        for (int i = 0; i < 100_000; i++) {
            if (limiter.tryAcquire(rules[i & 3])) {
                written++;
            }
        }
        return written;
    }
}
