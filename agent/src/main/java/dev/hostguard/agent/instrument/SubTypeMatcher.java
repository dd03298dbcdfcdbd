package dev.hostguard.agent.instrument;

import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a class extends or implements one of a few named types, read from class files: the class's own bytes as
 * it loads, then its super types' class files from its loader ({@link ClassHeaders}, shared by all the matchers),
 * each at most once per loader (the answer for every type name looked at is remembered). Only the header of a class
 * file is read (super class and interfaces), with the {@code ClassReader} of the ASM that Byte Buddy carries, so a
 * server's thousands of classes cost microseconds
 * each and load nothing; a Byte Buddy type description of each (what {@code AgentBuilder}'s type matchers need)
 * would parse every member of every class the service loads. The JDK's own types never lead to a servlet or
 * handler type and are not read at all.
 */
final class SubTypeMatcher {
    private final Set<String> superTypes;
    private final ClassHeaders headers;
    private final Map<ClassLoader, Map<String, Boolean>> answers = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * @param superTypes binary names ({@code jakarta.servlet.Servlet})
     * @param headers the class-file headers read so far, shared with the other matchers
     */
    SubTypeMatcher(Set<String> superTypes, ClassHeaders headers) {
        Set<String> internalNames = new HashSet<>();
        for (String name : superTypes) {
            internalNames.add(name.replace('.', '/'));
        }
        this.superTypes = Set.copyOf(internalNames);
        this.headers = headers;
    }

    /** A class being loaded, from its class file; {@code internalName} as in the class file ({@code a/b/C}). */
    boolean matches(String internalName, ClassHeaders.Pending classFile, ClassLoader loader) {
        if (loader == null || isJdk(internalName)) {
            return false;
        }
        if (superTypes.contains(internalName)) {
            return true;
        }
        Map<String, Boolean> known = known(loader);
        Boolean answer = known.get(internalName);
        if (answer == null) {
            answer = extendsTarget(classFile.supers(), loader, known);
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

    /** @param supers super class first ({@code null} for {@code Object}), then interfaces */
    private boolean extendsTarget(String[] supers, ClassLoader loader, Map<String, Boolean> known) {
        for (String type : supers) {
            if (type != null && isTarget(type, loader, known)) {
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
        String[] supers = headers.supersOf(internalName, loader);
        return supers != null && extendsTarget(supers, loader, known);
    }

    private static boolean isJdk(String internalName) {
        return internalName.startsWith("java/") || internalName.startsWith("jdk/") || internalName.startsWith("sun/")
                || internalName.startsWith("com/sun/");
    }
}
