package dev.hostguard.agent.context;

import dev.hostguard.agent.policy.Glob;
import dev.hostguard.agent.policy.PrincipalPatterns;
import java.security.Principal;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/**
 * Principals a policy names ({@code api-key-principals}, {@code person-principals}): by name (globs on
 * {@link Principal#getName()}) or by class (the principal's class or any of its super types).
 */
public final class PrincipalMatcher {
    private final List<Glob> names;
    private final Set<String> classes;
    /** Per principal class, whether it or a super type is named: the type hierarchy is walked once per class. */
    private final ClassValue<Boolean> byClass = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return namedType(type);
        }
    };

    public PrincipalMatcher(PrincipalPatterns patterns) {
        Glob[] globs = new Glob[patterns.names().size()]; // a loop, not a stream: start-up path
        for (int i = 0; i < globs.length; i++) {
            globs[i] = new Glob(patterns.names().get(i));
        }
        this.names = List.of(globs);
        this.classes = Set.copyOf(patterns.classes());
    }

    public boolean isEmpty() {
        return names.isEmpty() && classes.isEmpty();
    }

    /** Whether the policy names {@code principal}. */
    public boolean matches(Principal principal) {
        if (principal == null || isEmpty()) {
            return false;
        }
        if (!classes.isEmpty() && byClass.get(principal.getClass())) {
            return true;
        }
        if (!names.isEmpty()) {
            String name = principal.getName();
            for (Glob glob : names) {
                if (name != null && glob.matches(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean namedType(Class<?> type) {
        Deque<Class<?>> todo = new ArrayDeque<>();
        todo.add(type);
        while (!todo.isEmpty()) {
            Class<?> t = todo.poll();
            if (classes.contains(t.getName())) {
                return true;
            }
            if (t.getSuperclass() != null) {
                todo.add(t.getSuperclass());
            }
            todo.addAll(List.of(t.getInterfaces()));
        }
        return false;
    }
}
