package dev.hostguard.agent.config;

import java.util.Locale;

/**
 * The options of a sink that survives a full disk and a stalled reader: {@code events-max-size} ({@code 10m},
 * {@code 512k}, {@code 1g} or bytes: a file sink is rotated there), {@code events-max-files} (rotated files kept,
 * default 5) and {@code events-queue} (lines held for a writer thread; a full queue drops and counts).
 */
final class EventSinkOptions {
    /** Below this a file would rotate at nearly every event. */
    static final long MIN_MAX_BYTES = 4096;

    private EventSinkOptions() {
    }

    static EventTarget apply(EventTarget target, AgentOptions.Source maxSize, AgentOptions.Source maxFiles,
                             AgentOptions.Source queue) throws InvalidOptionException {
        if (maxSize == null && maxFiles == null && queue == null) {
            return target;
        }
        return target.withSink(maxSize == null ? 0 : bytes(maxSize),
                maxFiles == null ? EventTarget.DEFAULT_MAX_FILES : count(maxFiles, 1, 1000, "a number of files"),
                queue == null ? EventTarget.DEFAULT_QUEUE : count(queue, 0, 10_000_000, "a number of lines"));
    }

    static long bytes(AgentOptions.Source source) throws InvalidOptionException {
        String value = source.value().trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (value.endsWith("b")) {
            value = value.substring(0, value.length() - 1);
        }
        if (value.endsWith("k")) {
            unit = 1024;
        } else if (value.endsWith("m")) {
            unit = 1024 * 1024;
        } else if (value.endsWith("g")) {
            unit = 1024L * 1024 * 1024;
        }
        if (unit != 1) {
            value = value.substring(0, value.length() - 1);
        }
        try {
            long bytes = Math.multiplyExact(Long.parseLong(value), unit);
            if (bytes >= MIN_MAX_BYTES) {
                return bytes;
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // reported below
        }
        throw new InvalidOptionException("bad value for option 'events-max-size' (" + source.describe()
                + "); expected a size of at least 4k, like 10m, 512k, 1g or a number of bytes");
    }

    private static int count(AgentOptions.Source source, int min, int max, String what)
            throws InvalidOptionException {
        try {
            int n = Integer.parseInt(source.value().trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidOptionException("bad value for option '" + source.key() + "' (" + source.describe()
                + "); expected " + what + " from " + min + " to " + max);
    }
}
