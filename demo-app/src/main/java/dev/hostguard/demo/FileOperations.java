package dev.hostguard.demo;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.Reader;
import java.io.Writer;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The helpers behind the file actions of {@link Actions}: each JDK way to read, write or list a path that is more
 * than one line, and the shared formatting of their results. Every method opens what it is given exactly once and
 * closes it again; failures (including a guard's refusal) are thrown unchanged.
 */
final class FileOperations {

    /** Cap on the names a listing returns. */
    static final int MAX_LISTED_NAMES = 1_000;

    private FileOperations() {
    }

    // ---- results ----

    /** The bytes as text: at most {@link Actions#MAX_OUTPUT_BYTES}, UTF-8, NULs shown as spaces. */
    static String text(byte[] bytes) {
        int length = Math.min(bytes.length, Actions.MAX_OUTPUT_BYTES);
        return new String(bytes, 0, length, StandardCharsets.UTF_8).replace('\0', ' ');
    }

    /** The names sorted, one per line, at most {@link #MAX_LISTED_NAMES}. */
    static String listing(Collection<String> names) {
        return names.stream().sorted().limit(MAX_LISTED_NAMES).collect(Collectors.joining("\n"));
    }

    // ---- reads ----

    /** Reads up to the output cap and closes the stream. */
    static byte[] drain(InputStream in) throws IOException {
        try (in) {
            return in.readNBytes(Actions.MAX_OUTPUT_BYTES);
        }
    }

    /** Reads up to the output cap in characters and closes the reader. */
    static byte[] drain(Reader in) throws IOException {
        try (in) {
            char[] buffer = new char[Actions.MAX_OUTPUT_BYTES];
            int filled = 0;
            for (int n; filled < buffer.length && (n = in.read(buffer, filled, buffer.length - filled)) != -1; ) {
                filled += n;
            }
            return new String(buffer, 0, filled).getBytes(StandardCharsets.UTF_8);
        }
    }

    /** {@code new RandomAccessFile(path, "r")}, read to the end (proc files report length 0, so never by length). */
    static byte[] randomAccessRead(String path) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(path, "r")) {
            byte[] buffer = new byte[Actions.MAX_OUTPUT_BYTES];
            int filled = 0;
            for (int n; filled < buffer.length && (n = file.read(buffer, filled, buffer.length - filled)) != -1; ) {
                filled += n;
            }
            return Arrays.copyOf(buffer, filled);
        }
    }

    /** {@code Files.lines(path)}, joined with newlines. */
    static byte[] lines(String path) throws IOException {
        try (Stream<String> lines = Files.lines(Path.of(path))) {
            return lines.collect(Collectors.joining("\n")).getBytes(StandardCharsets.UTF_8);
        }
    }

    /** {@code FileChannel.open(path, READ)}. */
    static byte[] channelRead(String path) throws IOException {
        return drain(Channels.newInputStream(FileChannel.open(Path.of(path), StandardOpenOption.READ)));
    }

    /** {@code AsynchronousFileChannel.open(path, READ)}, positional reads to the end. */
    static byte[] asyncRead(String path) throws Exception {
        try (AsynchronousFileChannel channel = AsynchronousFileChannel.open(Path.of(path), StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(Actions.MAX_OUTPUT_BYTES);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, buffer.position()).get() <= 0) {
                    break;
                }
            }
            return Arrays.copyOf(buffer.array(), buffer.position());
        }
    }

    /**
     * {@code new URL("file:" + path).openStream()} (the JDK percent-decodes the URL's path). Read a byte at a time:
     * the stream is a {@code BufferedInputStream}, whose bulk read asks {@code FileInputStream.available()} between
     * chunks, which fails with EINVAL on {@code /proc} files larger than one chunk ({@code /proc/self/mountinfo}).
     */
    @SuppressWarnings("deprecation") // URL(String) is how such code is written; deprecated only from JDK 20
    static byte[] urlStream(String path) throws IOException {
        try (InputStream in = new URL("file:" + path).openStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int b; out.size() < Actions.MAX_OUTPUT_BYTES && (b = in.read()) != -1; ) {
                out.write(b);
            }
            return out.toByteArray();
        }
    }

    /** {@code Files.copy(path, <temp file>)}, then the copy's bytes; the temp file is deleted again. */
    static byte[] copyToTempAndRead(String path) throws IOException {
        Path copy = Files.createTempFile("hostguard-demo-copy-", ".bin");
        try {
            Files.copy(Path.of(path), copy, StandardCopyOption.REPLACE_EXISTING);
            return drain(Files.newInputStream(copy));
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    /**
     * Opens the path's parent directory as a {@link SecureDirectoryStream} and reads the path's last name through
     * it, i.e. {@code openat(<parent fd>, <name>)}.
     */
    static byte[] secureDirectoryRead(String path) throws IOException {
        Path target = Path.of(path);
        try (SecureDirectoryStream<Path> parent = secureParent(target);
             SeekableByteChannel channel = parent.newByteChannel(target.getFileName(), Set.of(StandardOpenOption.READ))) {
            return drain(Channels.newInputStream(channel));
        }
    }

    // ---- writes ----

    /** Writes the data and closes the stream. */
    static void fill(OutputStream out, String data) throws IOException {
        try (out) {
            out.write(data.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Writes the data and closes the writer. */
    static void fill(Writer out, String data) throws IOException {
        try (out) {
            out.write(data);
        }
    }

    /** {@code new RandomAccessFile(path, "rw")}: replaces the content with the data. */
    static void randomAccessWrite(String path, String data) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(path, "rw")) {
            file.setLength(0);
            file.write(data.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** {@code FileChannel.open(path, WRITE, CREATE, TRUNCATE_EXISTING)}. */
    static void channelWrite(String path, String data) throws IOException {
        try (FileChannel channel = FileChannel.open(Path.of(path), StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(data.getBytes(StandardCharsets.UTF_8));
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }

    // ---- listings ----

    /** The names {@code File.list()} returned; null (how java.io reports any failure) becomes an IOException. */
    static List<String> names(String[] names, String path) throws IOException {
        if (names == null) {
            throw new IOException("cannot list " + path);
        }
        return List.of(names);
    }

    /** The names of the files {@code File.listFiles()} returned; null becomes an IOException. */
    static List<String> names(File[] files, String path) throws IOException {
        if (files == null) {
            throw new IOException("cannot list " + path);
        }
        return Stream.of(files).map(File::getName).toList();
    }

    /** The file names of the stream's entries; closes the stream. */
    static List<String> names(Stream<Path> entries) {
        try (entries) {
            return entries.map(p -> String.valueOf(p.getFileName())).toList();
        }
    }

    /** The file names of the directory stream's entries; closes the stream. */
    static List<String> names(DirectoryStream<Path> entries) throws IOException {
        try (entries) {
            List<String> names = new ArrayList<>();
            entries.forEach(p -> names.add(String.valueOf(p.getFileName())));
            return names;
        }
    }

    /**
     * {@code Files.walkFileTree(path, {FOLLOW_LINKS}, 1, ...)}: the names one level below the start. Follows links,
     * or a start that is a symlink to a directory ({@code /proc/self}) would be visited as a file and nothing listed;
     * an entry whose attributes cannot be read (a process that ended while {@code /proc} was listed) is still
     * named, where {@code Files.walk} would throw.
     */
    static List<String> walkOneLevel(String path) throws IOException {
        Path start = Path.of(path);
        List<String> names = new ArrayList<>();
        Files.walkFileTree(start, EnumSet.of(FileVisitOption.FOLLOW_LINKS), 1, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                if (file.equals(start)) {
                    throw new NotDirectoryException(path);
                }
                names.add(String.valueOf(file.getFileName()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException failure) throws IOException {
                if (file.equals(start)) {
                    throw failure; // the start itself: nothing was listed
                }
                names.add(String.valueOf(file.getFileName()));
                return FileVisitResult.CONTINUE;
            }
        });
        return names;
    }

    /**
     * Opens the path's parent directory as a {@link SecureDirectoryStream} and lists the path's last name through
     * it ({@code SecureDirectoryStream.newDirectoryStream(name)}, i.e. {@code openat(<parent fd>, <name>)}).
     */
    static List<String> secureDirectoryList(String path) throws IOException {
        Path target = Path.of(path);
        try (SecureDirectoryStream<Path> parent = secureParent(target)) {
            return names(parent.newDirectoryStream(target.getFileName()));
        }
    }

    private static SecureDirectoryStream<Path> secureParent(Path target) throws IOException {
        if (target.getFileName() == null) {
            throw new IllegalArgumentException("'" + target + "' has no last name to open relative to its parent");
        }
        Path parent = target.getParent() != null ? target.getParent() : Path.of(".");
        DirectoryStream<Path> stream = Files.newDirectoryStream(parent);
        if (stream instanceof SecureDirectoryStream<Path> secure) {
            return secure;
        }
        stream.close();
        throw new UnsupportedOperationException("no SecureDirectoryStream on this platform for " + parent);
    }
}
