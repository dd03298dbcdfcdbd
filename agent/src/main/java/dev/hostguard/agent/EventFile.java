package dev.hostguard.agent;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * An event file: appended to (created with its parent directories), in UTF-8, unbuffered, one whole line per write
 * or nothing. A write that fails (a full disk, a file-size limit) is undone, so no torn line is left for the next
 * one to follow, and counted as a dropped event; the drops are reported by an {@code events-suppressed} event
 * after the next line that is written. With a size limit the file is rotated before a line would cross it:
 * {@code events.jsonl} becomes {@code events.jsonl.1}, the older ones move up by one, the oldest beyond
 * {@code maxFiles} is deleted.
 *
 * <p>Written through {@code java.io} ({@link RandomAccessFile}, {@link File}), not NIO's {@code FileChannel} and
 * {@code Files}: the JDK has loaded {@code RandomAccessFile} already (it reads the agent jar with it), while a
 * {@code FileChannel} opened at start-up loads some twenty NIO classes before the hooks are registered and makes
 * {@code FileChannelImpl}, a hooked class, one more retransformation in every service with an events file.
 */
final class EventFile implements AgentLogging.Lines {
    private static final String PREFIX = "[hostguard] ";

    private final Path file;
    private final long maxBytes;
    private final int maxFiles;
    private final SinkDrops drops;
    private RandomAccessFile channel;
    /** Whether the last write failed: the failure is told once, and its end too. */
    private boolean failing;
    private boolean rotationFailed;

    /** Opens the file now: one that cannot be opened at start-up sends the events elsewhere. */
    EventFile(Path file, long maxBytes, int maxFiles, SinkDrops drops) throws IOException {
        this.file = file.toAbsolutePath();
        this.maxBytes = maxBytes;
        this.maxFiles = maxFiles;
        this.drops = drops;
        open();
    }

    @Override
    public synchronized void write(String line) {
        if (append(line, true) && drops.unreported()) {
            SinkDrops.Report report = drops.report();
            if (report != null && append(report.line(), false)) {
                drops.reported(report);
            }
        }
    }

    /** Writes the count of dropped events not reported yet, if any (at shutdown). */
    synchronized void writeDropReport() {
        SinkDrops.Report report = drops.report();
        if (report != null && append(report.line(), false)) {
            drops.reported(report);
        }
    }

    private boolean append(String line, boolean event) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            if (channel == null) {
                open();
            }
            long before = channel.length();
            if (maxBytes > 0 && before > 0 && before + bytes.length > maxBytes) {
                rotate();
                before = channel.length();
            }
            try {
                channel.seek(before); // appends: another writer (a rotation, a truncation) may have moved the end
                channel.write(bytes);
            } catch (IOException e) {
                undo(before);
                throw e;
            }
            if (failing) {
                failing = false;
                System.err.println(PREFIX + "events are written to " + file + " again");
            }
            return true;
        } catch (IOException | RuntimeException e) {
            if (event) {
                drops.writeFailed();
            }
            if (!failing) {
                failing = true;
                System.err.println(PREFIX + "ERROR cannot write events to " + file + " (" + e
                        + "); they are dropped and counted until it can");
            }
            return false;
        }
    }

    /** Cuts a partly written line off again. */
    private void undo(long size) {
        try {
            channel.setLength(size);
        } catch (IOException | RuntimeException e) {
            // the torn line stays; the next line starts on its own all the same only if it ended: nothing better
        }
    }

    private void open() throws IOException {
        File parent = file.toFile().getParentFile();
        if (parent != null && !parent.isDirectory() && !parent.mkdirs() && !parent.isDirectory()) {
            throw new IOException("cannot create the directory " + parent);
        }
        channel = new RandomAccessFile(file.toFile(), "rw");
    }

    /** Shifts the files up by one and opens a new one; if that fails the current file goes on growing. */
    private void rotate() throws IOException {
        try {
            for (int i = maxFiles - 1; i >= 1; i--) {
                File older = rotated(i).toFile();
                if (older.exists()) {
                    rename(older, rotated(i + 1).toFile());
                }
            }
            rename(file.toFile(), rotated(1).toFile());
        } catch (IOException | RuntimeException e) {
            if (!rotationFailed) {
                rotationFailed = true;
                System.err.println(PREFIX + "ERROR cannot rotate the event file " + file + " (" + e
                        + "); it goes on growing");
            }
            return;
        }
        rotationFailed = false;
        RandomAccessFile old = channel;
        channel = null;
        old.close();
        open();
    }

    /** {@code rename(2)}: replaces {@code to} if it exists, as a rotation wants. */
    private static void rename(File from, File to) throws IOException {
        if (!from.renameTo(to)) {
            throw new IOException("cannot rename " + from + " to " + to);
        }
    }

    Path rotated(int index) {
        return file.resolveSibling(file.getFileName() + "." + index);
    }
}
