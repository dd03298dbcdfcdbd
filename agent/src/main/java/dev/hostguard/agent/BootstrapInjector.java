package dev.hostguard.agent;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Defines the {@code bootstrap} package in the boot class loader, where advice inlined into {@code java.*}
 * classes can link to it; since the application class loader asks the boot loader first, the agent then shares
 * the very same classes.
 *
 * <p>The classes are defined with the JDK's internal {@code Unsafe.defineClass} ({@link BootLoaderDefiner}), whose
 * package {@link Instrumentation} exports to us, rather than by appending a jar to the boot search path: that would make the JVM print a warning
 * on the service's standard output and stop sharing (CDS) the application's JDK classes. (Libraries' class
 * injectors, Byte Buddy's among them, go through {@code sun.misc.Unsafe}, which JDK 24+ warns about on standard
 * error.)
 */
final class BootstrapInjector {
    private static final String INTERNAL_PACKAGE = "jdk.internal.misc";
    /** Opened to the agent for {@code OpenDescriptors}: the JDK's own {@code readlink} and {@code fstat} natives. */
    private static final String NIO_FS_PACKAGE = "sun.nio.fs";
    static final String PACKAGE_PATH = "dev/hostguard/agent/bootstrap/";

    private BootstrapInjector() {
    }

    /**
     * The facade's class files, in the order they are defined: none extends another of them. A fixed list, so the
     * start-up reads ten entries by name instead of scanning the jar's thousand ({@code BootstrapInjectorTest}
     * checks it against the compiled package).
     */
    static final List<String> CLASSES = List.of("ContextCallable", "ContextRunnable", "HookHandler", "Hooks$1",
            "Hooks", "HostGuardBlockedException", "RequestScope", "RuntimeConnections$Table", "RuntimeConnections",
            "TaskContexts$Lookup", "TaskContexts$WeakKey", "TaskContexts");

    /** @return the names of the classes injected */
    static List<String> inject(Instrumentation instrumentation) throws IOException {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        for (String simpleName : CLASSES) {
            byte[] classFile = AgentClassFiles.agent().read(PACKAGE_PATH + simpleName + ".class");
            if (classFile == null) {
                throw new IOException("the agent has no bootstrap class " + simpleName);
            }
            classes.put(PACKAGE_PATH.replace('/', '.') + simpleName, classFile);
        }
        define(instrumentation, classes);
        return List.copyOf(classes.keySet());
    }

    private static void define(Instrumentation instrumentation, Map<String, byte[]> classes) {
        Module javaBase = Object.class.getModule();
        instrumentation.redefineModule(javaBase, Set.of(),
                Map.of(INTERNAL_PACKAGE, Set.of(BootstrapInjector.class.getModule())),
                Map.of(NIO_FS_PACKAGE, Set.of(BootstrapInjector.class.getModule())), Set.of(), Map.of());
        for (Map.Entry<String, byte[]> c : classes.entrySet()) {
            BootLoaderDefiner.define(c.getKey(), c.getValue());
        }
    }
}
