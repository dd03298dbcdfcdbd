package dev.hostguard.agent.instrument;

import java.security.ProtectionDomain;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDefinition;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.utility.JavaModule;

/**
 * Matches the classes of a class loader that extend or implement one of a few named types, remembering the answer
 * for every type name it looked at. Byte Buddy's {@code hasSuperType} resolves (reads and parses) the whole
 * hierarchy of every class a server loads, again for each class; here each class file is read at most once per
 * loader, and the JDK's own types, which never lead to a servlet or handler type, are not read at all.
 */
final class SubTypeMatcher implements AgentBuilder.RawMatcher {
    private final Set<String> superTypes;
    private final Map<ClassLoader, Map<String, Boolean>> answers = Collections.synchronizedMap(new WeakHashMap<>());

    SubTypeMatcher(Set<String> superTypes) {
        this.superTypes = Set.copyOf(superTypes);
    }

    @Override
    public boolean matches(TypeDescription type, ClassLoader loader, JavaModule module, Class<?> classBeingRedefined,
                           ProtectionDomain protectionDomain) {
        return loader != null && !isJdk(type.getName())
                && extendsTarget(type, answers.computeIfAbsent(loader, l -> new ConcurrentHashMap<>()));
    }

    private boolean extendsTarget(TypeDefinition type, Map<String, Boolean> known) {
        String name = type.asErasure().getName();
        if (superTypes.contains(name)) {
            return true;
        }
        if (isJdk(name)) {
            return false;
        }
        Boolean answer = known.get(name);
        if (answer == null) {
            answer = resolve(type, known);
            known.put(name, answer);
        }
        return answer;
    }

    private boolean resolve(TypeDefinition type, Map<String, Boolean> known) {
        try {
            TypeDescription.Generic superClass = type.getSuperClass();
            if (superClass != null && extendsTarget(superClass, known)) {
                return true;
            }
            for (TypeDescription.Generic anInterface : type.getInterfaces()) {
                if (extendsTarget(anInterface, known)) {
                    return true;
                }
            }
            return false;
        } catch (RuntimeException unresolvable) {
            return false; // a super type the loader cannot find: the class cannot load anyway
        }
    }

    private static boolean isJdk(String name) {
        return name.startsWith("java.") || name.startsWith("jdk.") || name.startsWith("sun.")
                || name.startsWith("com.sun.");
    }
}
