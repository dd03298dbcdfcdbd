package dev.hostguard.agent;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * The agent's own class files, read as bytes: the boot-loader facade and the weaving's classes to define, the advice
 * for Byte Buddy to inline. Read from the agent jar through one {@link JarFile} kept open for the JVM's life (it
 * shares the class loader's open zip), not through {@code ClassLoader.getResourceAsStream}: that goes through
 * {@code jar:} URLs, whose first use costs the start-up some 10–25 ms. In tests the agent's classes are a folder.
 */
public final class AgentClassFiles {
    private static final class Holder {
        static final AgentClassFiles AGENT = open();
    }

    private final JarFile jar;
    private final Path folder;

    private AgentClassFiles(JarFile jar, Path folder) {
        this.jar = jar;
        this.folder = folder;
    }

    /** The code source this class came from: the agent jar, or the class folder in tests. */
    public static AgentClassFiles agent() {
        return Holder.AGENT;
    }

    private static AgentClassFiles open() {
        try {
            Path source = Path.of(AgentClassFiles.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isDirectory(source) ? new AgentClassFiles(null, source)
                    : new AgentClassFiles(new JarFile(source.toFile(), false), null);
        } catch (IOException | URISyntaxException | RuntimeException e) {
            throw new IllegalStateException("cannot locate the HostGuard agent's classes", e);
        }
    }

    /**
     * Reads the entry {@code name} into {@code buffer}, growing it as needed, for a class definition, which copies
     * the bytes: no array per class.
     *
     * @return its length, or -1 when the agent's code source has no such entry
     */
    public int read(String name, Buffer buffer) throws IOException {
        if (jar == null) {
            byte[] bytes = read(name);
            if (bytes == null) {
                return -1;
            }
            buffer.bytes = bytes;
            return bytes.length;
        }
        ZipEntry entry = jar.getEntry(name);
        if (entry == null) {
            return -1;
        }
        int size = (int) entry.getSize();
        if (buffer.bytes.length < size) {
            buffer.bytes = new byte[Math.max(size, 2 * buffer.bytes.length)];
        }
        try (InputStream in = jar.getInputStream(entry)) {
            return in.readNBytes(buffer.bytes, 0, size);
        }
    }

    /** A reusable array for {@link #read(String, Buffer)}. */
    public static final class Buffer {
        private byte[] bytes = new byte[16 * 1024];

        public byte[] bytes() {
            return bytes;
        }
    }

    /** The entry {@code name} ({@code a/b/C.class}) of the agent's code source, or {@code null}. */
    public byte[] read(String name) throws IOException {
        if (jar == null) {
            Path file = folder.resolve(name);
            return Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
        }
        ZipEntry entry = jar.getEntry(name);
        if (entry == null) {
            return null;
        }
        try (InputStream in = jar.getInputStream(entry)) {
            long size = entry.getSize();
            // one array of the exact size where the jar records it (readAllBytes grows a buffer in steps)
            return size >= 0 && size < Integer.MAX_VALUE ? in.readNBytes((int) size) : in.readAllBytes();
        }
    }
}
