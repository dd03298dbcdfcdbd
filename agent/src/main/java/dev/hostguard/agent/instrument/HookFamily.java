package dev.hostguard.agent.instrument;

import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** One family of hooks: the types it transforms and, per hook site, the methods and the advice put on them. */
interface HookFamily {

    String name();

    ElementMatcher<? super TypeDescription> types();

    /** Whether the family hooks JDK classes (boot loader) rather than server and application classes. */
    boolean hooksJdk();

    List<HookSite> sites();
}
