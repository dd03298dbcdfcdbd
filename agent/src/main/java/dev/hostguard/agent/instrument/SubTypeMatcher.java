package dev.hostguard.agent.instrument;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.jar.asm.ClassReader;

/**
 * Whether a class extends or implements one of a few named types, read from class files: the class's own bytes as
 * it loads, then its super types' class files from its loader, each at most once per loader (the answer for every
 * type name looked at is remembered). Only the header of a class file is read (super class and interfaces), with
 * the {@link ClassReader} of the ASM that Byte Buddy carries, so a server's thousands of classes cost microseconds
 * each and load nothing; a Byte Buddy type description of each (what {@code AgentBuilder}'s type matchers need)
 * would parse every member of every class the service loads. The JDK's own types never lead to a servlet or
 * handler type and are not read at all.
 */
final class SubTypeMatcher {
    private final Set<String> superTypes;
    private final Map<ClassLoader, Map<String, Boolean>> answers = Collections.synchronizedMap(new WeakHashMap<>());

    /** @param superTypes binary names ({@code jakarta.servlet.Servlet}) */
    SubTypeMatcher(Set<String> superTypes) {
        Set<String> internalNames = new HashSet<>();
        for (String name : superTypes) {
            internalNames.add(name.replace('.', '/'));
        }
        this.superTypes = Set.copyOf(internalNames);
    }

    /** A class being loaded, from its class file; {@code internalName} as in the class file ({@code a/b/C}). */
    boolean matches(String internalName, byte[] classFile, ClassLoader loader) {
        if (loader == null || isJdk(internalName)) {
            return false;
        }
        if (superTypes.contains(internalName)) {
            return true;
        }
        Map<String, Boolean> known = known(loader);
        Boolean answer = known.get(internalName);
        if (answer == null) {
            answer = extendsTarget(new ClassReader(classFile), loader, known);
            known.put(internalName, answer);
        }
        return answer;
    }

    /** A class already loaded (when the agent is attached to a running JVM). */
    boolean matches(Class<?> type) {
        if (type == null) {
            return false;
        }
        String internalName = type.getName().replace('.', '/');
        if (superTypes.contains(internalName)) {
            return true; // before the JDK test: a target may be a JDK type (java.util.TimerTask)
        }
        if (isJdk(internalName)) {
            return false;
        }
        if (matches(type.getSuperclass())) {
            return true;
        }
        for (Class<?> anInterface : type.getInterfaces()) {
            if (matches(anInterface)) {
                return true;
            }
        }
        return false;
    }

    private Map<String, Boolean> known(ClassLoader loader) {
        synchronized (answers) {
            Map<String, Boolean> known = answers.get(loader);
            if (known == null) {
                known = new ConcurrentHashMap<>();
                answers.put(loader, known);
            }
            return known;
        }
    }

    private boolean extendsTarget(ClassReader header, ClassLoader loader, Map<String, Boolean> known) {
        if (header.getSuperName() != null && isTarget(header.getSuperName(), loader, known)) {
            return true;
        }
        for (String anInterface : header.getInterfaces()) {
            if (isTarget(anInterface, loader, known)) {
                return true;
            }
        }
        return false;
    }

    private boolean isTarget(String internalName, ClassLoader loader, Map<String, Boolean> known) {
        if (superTypes.contains(internalName)) {
            return true;
        }
        if (isJdk(internalName)) {
            return false;
        }
        Boolean answer = known.get(internalName);
        if (answer == null) {
            answer = resolve(internalName, loader, known);
            known.put(internalName, answer);
        }
        return answer;
    }

    private boolean resolve(String internalName, ClassLoader loader, Map<String, Boolean> known) {
        try (InputStream classFile = loader.getResourceAsStream(internalName + ".class")) {
            // a super type the loader cannot find: the class cannot load anyway
            return classFile != null && extendsTarget(new ClassReader(classFile), loader, known);
        } catch (IOException | RuntimeException unreadable) {
            return false;
        }
    }

    private static boolean isJdk(String internalName) {
        return internalName.startsWith("java/") || internalName.startsWith("jdk/") || internalName.startsWith("sun/")
                || internalName.startsWith("com/sun/");
    }
}
