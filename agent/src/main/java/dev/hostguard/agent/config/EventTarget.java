package dev.hostguard.agent.config;

import java.nio.file.Path;

/**
 * Where events go: standard output, standard error, or a file that is appended to, one JSON object per line; and
 * how the sink survives (options {@code events-max-size}, {@code events-max-files}, {@code events-queue}).
 *
 * @param file the file; {@code null} for the standard streams
 * @param stderr whether the stream is standard error (ignored for files)
 * @param maxBytes a file's size at which it is rotated ({@code events.jsonl} becomes {@code events.jsonl.1}, the
 *     older ones move up by one); {@code 0}: never rotated (ignored for the standard streams)
 * @param maxFiles how many rotated files are kept beside the current one
 * @param queue {@code 0}: each event is written by the thread that decided it, as it is decided; otherwise the
 *     capacity in lines of a queue that one writer thread empties, so that a full disk or a stalled pipe never
 *     holds up a request: an event that finds the queue full is dropped and counted; {@link #DEFAULT_QUEUE}: not
 *     chosen ({@link #queueCapacity()})
 */
public record EventTarget(Path file, boolean stderr, long maxBytes, int maxFiles, int queue) {
    public static final int DEFAULT_MAX_FILES = 5;
    /** {@code events-queue} not given. */
    public static final int DEFAULT_QUEUE = -1;
    /**
     * The queue a standard stream gets by default: a pipe whose reader stalls (a log agent, a container runtime's
     * log driver) would block every thread that writes to it, so the request threads never do. A file is written
     * directly by default: a full disk fails a write at once, it does not block.
     */
    public static final int STREAM_QUEUE = 10_000;
    public static final EventTarget STDOUT = new EventTarget(null, false);
    public static final EventTarget STDERR = new EventTarget(null, true);

    public EventTarget(Path file, boolean stderr) {
        this(file, stderr, 0, DEFAULT_MAX_FILES, DEFAULT_QUEUE);
    }

    /** The queue's capacity in lines ({@code 0}: none): as chosen, else {@link #STREAM_QUEUE} for a stream. */
    public int queueCapacity() {
        return queue != DEFAULT_QUEUE ? queue : file == null ? STREAM_QUEUE : 0;
    }

    public static EventTarget file(Path file) {
        return new EventTarget(file, false);
    }

    /** This sink with the given rotation and queue. */
    public EventTarget withSink(long maxBytes, int maxFiles, int queue) {
        return new EventTarget(file, stderr, maxBytes, maxFiles, queue);
    }

    /** Whether a file sink rotates. */
    public boolean rotates() {
        return file != null && maxBytes > 0;
    }

    @Override
    public String toString() {
        String sink = file != null ? file.toString() : stderr ? "stderr" : "stdout";
        if (rotates()) {
            sink += " rotated at " + maxBytes + " bytes, " + maxFiles + " kept";
        }
        if (queueCapacity() > 0) {
            sink += " queue " + queueCapacity();
        }
        return sink;
    }
}
