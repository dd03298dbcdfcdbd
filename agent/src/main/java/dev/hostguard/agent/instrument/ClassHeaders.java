package dev.hostguard.agent.instrument;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.jar.asm.ClassReader;

/**
 * Super class and interfaces from class-file headers, for all the {@link SubTypeMatcher}s at once: a class being
 * loaded is parsed once, not once per matcher, and a super type none of them knew yet is read from its loader once,
 * not once per matcher (a read through a jar's {@code getResourceAsStream} costs a URL, a connection and a stream).
 * Only the super types read that way are remembered, per loader: a few hundred in a server, not every class.
 */
final class ClassHeaders {
    private static final String[] UNREADABLE = new String[0];

    private final Map<ClassLoader, Map<String, String[]>> read = Collections.synchronizedMap(new WeakHashMap<>());

    /** A class file's super class (first, {@code null} for {@code java/lang/Object}) and interfaces. */
    static String[] supers(ClassReader header) {
        String[] interfaces = header.getInterfaces();
        String[] supers = new String[interfaces.length + 1];
        supers[0] = header.getSuperName();
        System.arraycopy(interfaces, 0, supers, 1, interfaces.length);
        return supers;
    }

    /** The super types of a type its loader has the class file of; {@code null} when it has none we can read. */
    String[] supersOf(String internalName, ClassLoader loader) {
        Map<String, String[]> known;
        synchronized (read) { // no lambda (computeIfAbsent): nothing of ours links invokedynamic at start-up
            known = read.get(loader);
            if (known == null) {
                known = new ConcurrentHashMap<>();
                read.put(loader, known);
            }
        }
        String[] supers = known.get(internalName);
        if (supers == null) {
            supers = readSupers(internalName, loader);
            known.put(internalName, supers);
        }
        return supers == UNREADABLE ? null : supers;
    }

    private static String[] readSupers(String internalName, ClassLoader loader) {
        try (InputStream classFile = loader.getResourceAsStream(internalName + ".class")) {
            // a super type the loader cannot find: the class cannot load anyway
            return classFile == null ? UNREADABLE : supers(new ClassReader(classFile));
        } catch (IOException | RuntimeException unreadable) {
            return UNREADABLE;
        }
    }

    /** A class file being loaded, its header parsed at the first matcher that needs it. */
    static final class Pending {
        private final byte[] classFile;
        private String[] supers;

        Pending(byte[] classFile) {
            this.classFile = classFile;
        }

        String[] supers() {
            if (supers == null) {
                supers = ClassHeaders.supers(new ClassReader(classFile));
            }
            return supers;
        }
    }
}
