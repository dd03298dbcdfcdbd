package dev.hostguard.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * An event file: appended to (created with its parent directories), in UTF-8, unbuffered, one whole line per write
 * or nothing. A write that fails (a full disk, a file-size limit) is undone, so no torn line is left for the next
 * one to follow, and counted as a dropped event; the drops are reported by an {@code events-suppressed} event
 * after the next line that is written. With a size limit the file is rotated before a line would cross it:
 * {@code events.jsonl} becomes {@code events.jsonl.1}, the older ones move up by one, the oldest beyond
 * {@code maxFiles} is deleted.
 */
final class EventFile implements AgentLogging.Lines {
    private static final String PREFIX = "[hostguard] ";

    private final Path file;
    private final long maxBytes;
    private final int maxFiles;
    private final SinkDrops drops;
    private FileChannel channel;
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
            long before = channel.size();
            if (maxBytes > 0 && before > 0 && before + bytes.length > maxBytes) {
                rotate();
                before = channel.size();
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            try {
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
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
            channel.truncate(size);
        } catch (IOException | RuntimeException e) {
            // the torn line stays; the next line starts on its own all the same only if it ended: nothing better
        }
    }

    private void open() throws IOException {
        Path parent = file.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
    }

    /** Shifts the files up by one and opens a new one; if that fails the current file goes on growing. */
    private void rotate() throws IOException {
        try {
            for (int i = maxFiles - 1; i >= 1; i--) {
                Path older = rotated(i);
                if (Files.exists(older)) {
                    Files.move(older, rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(file, rotated(1), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            if (!rotationFailed) {
                rotationFailed = true;
                System.err.println(PREFIX + "ERROR cannot rotate the event file " + file + " (" + e
                        + "); it goes on growing");
            }
            return;
        }
        rotationFailed = false;
        FileChannel old = channel;
        channel = null;
        old.close();
        open();
    }

    Path rotated(int index) {
        return file.resolveSibling(file.getFileName() + "." + index);
    }
}
