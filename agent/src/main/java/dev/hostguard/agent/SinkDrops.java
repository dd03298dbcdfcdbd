package dev.hostguard.agent;

import dev.hostguard.agent.event.EventJson;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The events a sink dropped: because its queue was full (counted on the thread that decided the event: one
 * atomic add, no allocation) or because its write failed (a full disk, a file-size limit). The totals only grow
 * (for metrics); what was not yet reported is taken once into an {@code events-suppressed} event of rule
 * {@code event-sink}, written as soon as the sink writes again.
 */
final class SinkDrops {
    private final String sink;
    private final AtomicLong queueFull = new AtomicLong();
    private final AtomicLong writeFailed = new AtomicLong();
    private final AtomicLong reportedQueueFull = new AtomicLong();
    private final AtomicLong reportedWriteFailed = new AtomicLong();

    SinkDrops(String sink) {
        this.sink = sink;
    }

    void queueFull() {
        queueFull.incrementAndGet();
    }

    void writeFailed() {
        writeFailed.incrementAndGet();
    }

    long queueFullTotal() {
        return queueFull.get();
    }

    long writeFailedTotal() {
        return writeFailed.get();
    }

    long total() {
        return queueFull.get() + writeFailed.get();
    }

    /** Whether some drop was not yet reported: a read of two counters each, so callers may ask after every line. */
    boolean unreported() {
        return queueFull.get() != reportedQueueFull.get() || writeFailed.get() != reportedWriteFailed.get();
    }

    /**
     * The event reporting the drops since the last report; {@code null}: none. They count as reported once
     * {@link #reported} says it was written (a report that fails to be written is made again, larger, later).
     */
    synchronized Report report() {
        long full = queueFull.get();
        long failed = writeFailed.get();
        long newFull = full - reportedQueueFull.get();
        long newFailed = failed - reportedWriteFailed.get();
        if (newFull == 0 && newFailed == 0) {
            return null;
        }
        return new Report(full, failed, EventJson.eventsDropped(sink, newFull, newFailed));
    }

    synchronized void reported(Report report) {
        reportedQueueFull.set(Math.max(reportedQueueFull.get(), report.queueFull()));
        reportedWriteFailed.set(Math.max(reportedWriteFailed.get(), report.writeFailed()));
    }

    /** An {@code events-suppressed} line and the totals it brings the reported counts to. */
    record Report(long queueFull, long writeFailed, String line) {
    }
}
