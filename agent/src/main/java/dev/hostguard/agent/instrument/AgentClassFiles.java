package dev.hostguard.agent.instrument;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * The agent's own class files, read as bytes (the boot-loader facade to define, the advice to inline). Read from
 * the agent jar through one {@link JarFile} kept open for the JVM's life (it shares the class loader's open zip),
 * not through {@code ClassLoader.getResourceAsStream}: that goes through {@code jar:} URLs, whose first use costs
 * the start-up some 10–25 ms. In tests the agent's classes are a folder.
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

    /** The class file of {@code type} (for a class not of the agent's code source, e.g. a test's: its loader's). */
    public byte[] read(Class<?> type) throws IOException {
        String name = type.getName().replace('.', '/') + ".class";
        byte[] own = read(name);
        if (own != null) {
            return own;
        }
        try (InputStream in = type.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("no class file for " + type.getName());
            }
            return in.readAllBytes();
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
            return in.readAllBytes();
        }
    }
}
