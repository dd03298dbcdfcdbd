package dev.hostguard.agent.instrument;

import java.util.List;
import java.util.Set;

/**
 * Types to transform and the hook sites put on them: a plain description, so that deciding whether a class is
 * hooked needs no class file parsed beyond a header (see {@link HookTransformer}).
 *
 * @param exactType the class hooked, by exact name, in whichever class loader defines it; {@code null} for classes
 *                  matched by their super types
 * @param inJdk whether {@code exactType} is the JDK's (every supported JDK has it: its required sites are checked
 *              at start-up and by the drift tests); a server library's class exists only where the service ships it
 * @param superTypes for server and application classes: the types they extend or implement (binary names);
 *                   empty for a class hooked by name
 * @param sites what is put on which methods
 */
record HookTarget(String exactType, boolean inJdk, Set<String> superTypes, List<HookSite> sites) {

    HookTarget {
        superTypes = Set.copyOf(superTypes);
        sites = List.copyOf(sites);
    }

    /** A JDK class, by exact name. */
    static HookTarget jdk(String type, HookSite... sites) {
        return new HookTarget(type, true, Set.of(), List.of(sites));
    }

    /** A server library's class, by exact name; its sites are never required (the library may be absent). */
    static HookTarget library(String type, HookSite... sites) {
        return new HookTarget(type, false, Set.of(), List.of(sites));
    }

    /** Server and application classes that extend or implement one of {@code superTypes}. */
    static HookTarget subTypesOf(Set<String> superTypes, HookSite... sites) {
        return new HookTarget(null, false, superTypes, List.of(sites));
    }

    /** The JDK class hooked; {@code null} for a library's or application's. */
    String jdkType() {
        return inJdk ? exactType : null;
    }
}
