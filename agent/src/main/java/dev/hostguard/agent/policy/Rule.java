package dev.hostguard.agent.policy;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One rule.
 *
 * @param id stable id, named in events and policies (e.g. {@code runtime-socket})
 * @param category what kind of asset it protects (e.g. {@code container runtime sockets})
 * @param accesses the accesses it applies to (an unmodifiable copy, never empty)
 * @param description what it protects, in one sentence
 * @param source the public rules it comes from (Falco, Tracee, OpenRASP rule names)
 */
public record Rule(String id, String category, Set<FileAccess> accesses, String description, String source) {

    public Rule {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(source, "source");
        if (accesses == null || accesses.isEmpty()) {
            throw new IllegalArgumentException("rule " + id + " applies to no access");
        }
        accesses = Collections.unmodifiableSet(EnumSet.copyOf(accesses));
    }

    /** True when this rule applies to {@code access}. */
    public boolean appliesTo(FileAccess access) {
        return accesses.contains(access);
    }
}
