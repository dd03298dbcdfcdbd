package dev.hostguard.agent.policy;

import java.util.List;

/**
 * Principals named in a policy: by name (globs on {@code Principal.getName()}) or by class (exact name, or the name
 * of a super type).
 */
public record PrincipalPatterns(List<String> names, List<String> classes) {
    public static final PrincipalPatterns NONE = new PrincipalPatterns(List.of(), List.of());

    public PrincipalPatterns {
        names = List.copyOf(names);
        classes = List.copyOf(classes);
    }

    public boolean isEmpty() {
        return names.isEmpty() && classes.isEmpty();
    }
}
