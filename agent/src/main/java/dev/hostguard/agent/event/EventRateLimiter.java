package dev.hostguard.agent.event;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * At most N events per rule and second; the rest are counted, and each rule's count of a finished second is
 * handed to {@link Reporter} once, for one {@code events-suppressed} event.
 *
 * <p>A storm (say 100,000 blocked operations a second, all of one rule) must cost neither memory nor garbage:
 * a suppressed call reads the clock, looks its rule's window up (a table keyed by the rule ids of the policy, so
 * bounded by the policy, never by the traffic) and counts under that window's monitor. It allocates nothing.
 */
public final class EventRateLimiter {
    /** Receives the count of a finished second. */
    public interface Reporter {
        void suppressed(String rule, long epochSecond, long count);
    }

    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();
    private final LongSupplier clockMillis;
    private final AtomicLong lastSweep = new AtomicLong();
    private volatile int perSecond;

    public EventRateLimiter(int perSecond) {
        this(perSecond, new SystemClock());
    }

    /** Not {@code System::currentTimeMillis}: a method reference costs a generated class at start-up. */
    private static final class SystemClock implements LongSupplier {
        @Override
        public long getAsLong() {
            return System.currentTimeMillis();
        }
    }

    EventRateLimiter(int perSecond, LongSupplier clockMillis) {
        this.perSecond = perSecond;
        this.clockMillis = clockMillis;
    }

    /** A reloaded policy changes the limit; counts already taken stay. */
    public void perSecond(int perSecond) {
        this.perSecond = perSecond;
    }

    /** @return whether an event of {@code rule} may be written now; if not, it was counted */
    public boolean tryAcquire(String rule) {
        long second = clockMillis.getAsLong() / 1000;
        Window window = windows.get(rule);
        if (window == null) {
            Window created = new Window(rule);
            window = windows.putIfAbsent(rule, created);
            window = window == null ? created : window;
        }
        return window.tryAcquire(second, perSecond);
    }

    /**
     * Reports the counts of finished seconds. Cheap when called often: it sweeps at most once a second (the writer
     * calls it after each event it writes, the policy watcher on its own schedule).
     */
    public void drain(Reporter reporter) {
        long second = clockMillis.getAsLong() / 1000;
        long last = lastSweep.get();
        if (last == second || !lastSweep.compareAndSet(last, second)) {
            return;
        }
        for (Window window : windows.values()) {
            long count = window.takeFinished(second);
            if (count > 0) {
                reporter.suppressed(window.rule, window.finishedSecond, count);
            }
        }
    }

    /**
     * Reports every count still held, the current second's included: at shutdown, when no later event or sweep
     * will come to report the last second of a storm.
     */
    public void drainAll(Reporter reporter) {
        for (Window window : windows.values()) {
            long count = window.takeFinished(Long.MAX_VALUE);
            if (count > 0) {
                reporter.suppressed(window.rule, window.finishedSecond, count);
            }
        }
    }

    /** One rule's current second, and the count of a finished one not yet reported. */
    private static final class Window {
        final String rule;
        private long second = Long.MIN_VALUE;
        private int written;
        private long suppressed;
        private long pendingSecond;
        private long pending;
        /** The second whose count {@link #takeFinished} last returned. */
        volatile long finishedSecond;

        Window(String rule) {
            this.rule = rule;
        }

        synchronized boolean tryAcquire(long now, int perSecond) {
            if (now != second) {
                finish();
                second = now;
                written = 0;
            }
            if (written < perSecond) {
                written++;
                return true;
            }
            suppressed++;
            return false;
        }

        /** Moves the current second's count aside for the sweep (added to one still waiting there). */
        private void finish() {
            if (suppressed > 0) {
                if (pending == 0) {
                    pendingSecond = second;
                }
                pending += suppressed;
                suppressed = 0;
            }
        }

        /** The count of seconds before {@code now}, taken (zeroed); 0 when there is none. */
        synchronized long takeFinished(long now) {
            if (second < now) {
                finish();
            }
            long count = pending;
            pending = 0;
            finishedSecond = pendingSecond;
            return count;
        }
    }
}
