package dev.hostguard.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.named;

import java.util.List;
import java.util.Set;
import net.bytebuddy.agent.builder.AgentBuilder;

/**
 * Types to transform and the hook sites put on them.
 *
 * @param jdkType the JDK class hooked, by exact name; {@code null} for server and application classes
 * @param types the matcher for the types
 * @param sites what is put on which methods
 */
record HookTarget(String jdkType, AgentBuilder.RawMatcher types, List<HookSite> sites) {

    /** A JDK class, by exact name. */
    static HookTarget jdk(String type, HookSite... sites) {
        return new HookTarget(type, new AgentBuilder.RawMatcher.ForElementMatchers(named(type)), List.of(sites));
    }

    /** Server and application classes that extend or implement one of {@code superTypes}. */
    static HookTarget subTypesOf(Set<String> superTypes, HookSite... sites) {
        return new HookTarget(null, new SubTypeMatcher(superTypes), List.of(sites));
    }
}
