package dev.hostguard.agent;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Event lines handed to one writer thread through a bounded queue, so that the thread that decided an event never
 * waits for the sink: a full disk, a stalled pipe or a slow log agent only hold up the writer. An event that finds
 * the queue full is dropped and counted ({@link SinkDrops}); the count is written as an {@code events-suppressed}
 * event once the sink takes lines again. The writer thread and the queue are made by the first event, not at
 * start-up.
 */
final class QueuedLines implements AgentLogging.Lines {
    private final AgentLogging.Lines target;
    private final int capacity;
    /** Made with the writer, by the first event (a stream sink has a queue by default: nothing at start-up). */
    private ArrayBlockingQueue<String> queue;
    private final SinkDrops drops;
    /** Whether the target reports the drops itself after each line it wrote (an {@link EventFile}). */
    private final boolean targetReports;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private volatile Thread writer;

    QueuedLines(AgentLogging.Lines target, int capacity, SinkDrops drops) {
        this.target = target;
        this.capacity = capacity;
        this.drops = drops;
        this.targetReports = target instanceof EventFile;
    }

    @Override
    public void write(String line) {
        if (writer == null) {
            startWriter();
        }
        if (queue.offer(line)) {
            accepted.incrementAndGet();
        } else {
            drops.queueFull();
        }
    }

    private synchronized void startWriter() {
        if (writer != null) {
            return;
        }
        queue = new ArrayBlockingQueue<>(capacity); // published to write() by the volatile write of writer
        Thread thread = new Thread(new Runnable() { // not a lambda: no generated class for this
            @Override
            public void run() {
                drain();
            }
        }, "hostguard-events");
        thread.setDaemon(true);
        thread.start();
        writer = thread;
    }

    private void drain() {
        while (true) {
            String line;
            try {
                line = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                target.write(line);
                if (!targetReports && drops.unreported()) {
                    reportDrops();
                }
            } catch (RuntimeException e) {
                drops.writeFailed();
            }
            written.incrementAndGet();
            synchronized (this) {
                notifyAll();
            }
        }
    }

    private synchronized void reportDrops() {
        SinkDrops.Report report = drops.report();
        if (report != null) {
            target.write(report.line());
            drops.reported(report);
        }
    }

    /**
     * Waits at most {@code millis} for the lines queued so far to be written (at shutdown), then writes the count
     * of dropped events if some are not reported yet.
     *
     * @return whether every line was written; {@code false} when the sink is still stalled
     */
    boolean flush(long millis) {
        long target = accepted.get();
        long deadline = System.nanoTime() + millis * 1_000_000;
        synchronized (this) {
            while (written.get() < target) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return false;
                }
                try {
                    wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        if (drops.unreported()) {
            if (targetReports) {
                ((EventFile) this.target).writeDropReport();
            } else {
                reportDrops();
            }
        }
        return true;
    }
}
