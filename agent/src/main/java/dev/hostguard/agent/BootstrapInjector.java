package dev.hostguard.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Defines the {@code bootstrap} package in the boot class loader, where advice inlined into {@code java.*}
 * classes can link to it; since the application class loader asks the boot loader first, the agent then shares
 * the very same classes.
 *
 * <p>The classes are defined with the JDK's internal {@code Unsafe.defineClass}, which {@link Instrumentation}
 * exports to us, rather than by appending a jar to the boot search path: that would make the JVM print a warning
 * on the service's standard output and stop sharing (CDS) the application's JDK classes. (Libraries' class
 * injectors, Byte Buddy's among them, go through {@code sun.misc.Unsafe}, which JDK 24+ warns about on standard
 * error.)
 */
final class BootstrapInjector {
    private static final String INTERNAL_PACKAGE = "jdk.internal.misc";
    static final String PACKAGE_PATH = "dev/hostguard/agent/bootstrap/";

    private BootstrapInjector() {
    }

    /** @return the names of the classes injected */
    static List<String> inject(Instrumentation instrumentation) throws IOException {
        Path source = agentLocation();
        Map<String, byte[]> classes = new LinkedHashMap<>();
        for (String entry : bootstrapEntries(source)) {
            try (InputStream in = BootstrapInjector.class.getClassLoader().getResourceAsStream(entry)) {
                classes.put(entry.substring(0, entry.length() - ".class".length()).replace('/', '.'),
                        in.readAllBytes());
            }
        }
        if (classes.isEmpty()) {
            throw new IOException("no bootstrap classes found in " + source);
        }
        define(instrumentation, classes);
        return List.copyOf(classes.keySet());
    }

    private static void define(Instrumentation instrumentation, Map<String, byte[]> classes) throws IOException {
        Module javaBase = Object.class.getModule();
        instrumentation.redefineModule(javaBase, Set.of(),
                Map.of(INTERNAL_PACKAGE, Set.of(BootstrapInjector.class.getModule())), Map.of(), Set.of(), Map.of());
        try {
            Class<?> unsafeType = Class.forName(INTERNAL_PACKAGE + ".Unsafe");
            Object unsafe = unsafeType.getMethod("getUnsafe").invoke(null);
            Method defineClass = unsafeType.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
                    ClassLoader.class, ProtectionDomain.class);
            for (Map.Entry<String, byte[]> c : classes.entrySet()) {
                defineClass.invoke(unsafe, c.getKey(), c.getValue(), 0, c.getValue().length, null, null);
            }
        } catch (ReflectiveOperationException e) {
            throw new IOException("cannot define the bootstrap classes in the boot loader", e);
        }
    }

    /** The class files of the bootstrap package, from the agent jar or, in tests, the class folder. */
    static List<String> bootstrapEntries(Path source) throws IOException {
        if (Files.isDirectory(source)) {
            try (Stream<Path> files = Files.list(source.resolve(PACKAGE_PATH))) {
                return files.map(f -> PACKAGE_PATH + f.getFileName())
                        .filter(n -> n.endsWith(".class")).sorted().toList();
            }
        }
        // a loop, not a stream: on the start-up path every lambda costs a generated class
        List<String> entries = new ArrayList<>();
        try (JarFile jar = new JarFile(source.toFile())) {
            for (Enumeration<JarEntry> all = jar.entries(); all.hasMoreElements(); ) {
                String n = all.nextElement().getName();
                if (n.startsWith(PACKAGE_PATH) && n.endsWith(".class") && n.indexOf('/', PACKAGE_PATH.length()) < 0) {
                    entries.add(n);
                }
            }
        }
        Collections.sort(entries);
        return entries;
    }

    static Path agentLocation() throws IOException {
        try {
            return Path.of(BootstrapInjector.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IOException("cannot locate the HostGuard agent jar", e);
        }
    }
}
