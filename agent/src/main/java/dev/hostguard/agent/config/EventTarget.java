package dev.hostguard.agent.config;

import java.nio.file.Path;

/**
 * Where events go: standard output, standard error, or a file that is appended to, one JSON object per line.
 *
 * @param file the file; {@code null} for the standard streams
 * @param stderr whether the stream is standard error (ignored for files)
 */
public record EventTarget(Path file, boolean stderr) {
    public static final EventTarget STDOUT = new EventTarget(null, false);
    public static final EventTarget STDERR = new EventTarget(null, true);

    public static EventTarget file(Path file) {
        return new EventTarget(file, false);
    }

    @Override
    public String toString() {
        return file != null ? file.toString() : stderr ? "stderr" : "stdout";
    }
}
