package dev.hostguard.agent.instrument;

import java.util.List;
import java.util.Set;

/**
 * Types to transform and the hook sites put on them: a plain description, so that deciding whether a class is
 * hooked needs no class file parsed beyond a header (see {@link HookTransformer}).
 *
 * @param jdkType the JDK class hooked, by exact name; {@code null} for server and application classes
 * @param superTypes for server and application classes: the types they extend or implement (binary names);
 *                   empty for a JDK class
 * @param sites what is put on which methods
 */
record HookTarget(String jdkType, Set<String> superTypes, List<HookSite> sites) {

    HookTarget {
        superTypes = Set.copyOf(superTypes);
        sites = List.copyOf(sites);
    }

    /** A JDK class, by exact name. */
    static HookTarget jdk(String type, HookSite... sites) {
        return new HookTarget(type, Set.of(), List.of(sites));
    }

    /** Server and application classes that extend or implement one of {@code superTypes}. */
    static HookTarget subTypesOf(Set<String> superTypes, HookSite... sites) {
        return new HookTarget(null, superTypes, List.of(sites));
    }
}
