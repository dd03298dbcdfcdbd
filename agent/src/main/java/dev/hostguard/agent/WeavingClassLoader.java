package dev.hostguard.agent;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.security.ProtectionDomain;
import org.slf4j.Logger;

/**
 * The class loader of the weaving: the {@code instrument} package and Byte Buddy, defined straight from the agent's
 * own class files ({@link AgentClassFiles}) with the agent's protection domain. Everything else (the boot-loader
 * facade, logging, the JDK) comes from the parent, so both sides share those classes, and the start-up reaches the
 * weaving only through {@link HookInstallation}.
 *
 * <p>Why a loader of its own: Byte Buddy's {@code Advice} loads some 560 classes the first time it weaves. Loaded
 * by the system class loader, each pays for a class-path lookup, a resource URL, a code source and package checks,
 * and the JIT then compiles that loading code too: loading those classes took 70 ms of CPU and 8.8 MB of garbage
 * that way, 32 ms and 2 MB this way (ARCHITECTURE.md, "Class loaders").
 */
final class WeavingClassLoader extends ClassLoader {
    static {
        registerAsParallelCapable();
    }

    /** The packages defined here; the shade plugin relocates Byte Buddy's name in this string with the library. */
    private static final String[] OWN = {"dev.hostguard.agent.instrument.", "net.bytebuddy."};
    private static final String INSTALLER = "dev.hostguard.agent.instrument.HookInstaller";
    private static final String CLASS_SUFFIX = ".class";

    private final AgentClassFiles files;
    private final ProtectionDomain domain;
    private final Object reading = new Object();
    /**
     * One reused buffer per nesting depth of {@link #define} (guarded by {@link #reading}): a definition may load
     * another class of this loader before the JVM copied its bytes, where another agent instruments
     * {@code ClassLoader.defineClass} to load the super types first (the OpenTelemetry Java agent's
     * {@code DefineClassHandler} does), and a nested read into the same buffer would overwrite the bytes being
     * defined ({@code ClassFormatError}, "wrong name").
     */
    private AgentClassFiles.Buffer[] buffers = {new AgentClassFiles.Buffer()};
    private int depth; // guarded by reading

    private WeavingClassLoader(ClassLoader parent, AgentClassFiles files, ProtectionDomain domain) {
        super("hostguard-weaving", parent);
        this.files = files;
        this.domain = domain;
    }

    /** Registers the hooks' transformer from a new weaving loader (see {@code instrument.HookInstaller}). */
    static HookInstallation registerHooks(Instrumentation instrumentation, Logger log) throws Exception {
        WeavingClassLoader loader = new WeavingClassLoader(WeavingClassLoader.class.getClassLoader(),
                AgentClassFiles.agent(), WeavingClassLoader.class.getProtectionDomain());
        try {
            return (HookInstallation) Class.forName(INSTALLER, true, loader)
                    .getMethod("register", Instrumentation.class, Logger.class).invoke(null, instrumentation, log);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!isOwn(name)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> type = findLoadedClass(name);
            if (type == null) {
                type = define(name);
                if (type == null) {
                    return super.loadClass(name, resolve); // not relocated into the agent (its own tests)
                }
            }
            if (resolve) {
                resolveClass(type);
            }
            return type;
        }
    }

    private Class<?> define(String name) throws ClassNotFoundException {
        synchronized (reading) {
            if (depth == buffers.length) {
                buffers = java.util.Arrays.copyOf(buffers, depth + 1);
                buffers[depth] = new AgentClassFiles.Buffer();
            }
            AgentClassFiles.Buffer buffer = buffers[depth++];
            try {
                int length = files.read(entryName(name), buffer);
                return length < 0 ? null : defineClass(name, buffer.bytes(), 0, length, domain);
            } catch (IOException e) {
                throw new ClassNotFoundException(name, e);
            } finally {
                depth--;
            }
        }
    }

    /** {@code a/b/C.class} for {@code a.b.C}, in one array (a string replace and a concatenation make four). */
    private static String entryName(String className) {
        char[] entry = new char[className.length() + CLASS_SUFFIX.length()];
        className.getChars(0, className.length(), entry, 0);
        CLASS_SUFFIX.getChars(0, CLASS_SUFFIX.length(), entry, className.length());
        for (int i = 0; i < className.length(); i++) {
            if (entry[i] == '.') {
                entry[i] = '/';
            }
        }
        return new String(entry);
    }

    private static boolean isOwn(String name) {
        for (String prefix : OWN) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
