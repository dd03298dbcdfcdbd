package dev.hostguard.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.named;

import java.util.List;
import net.bytebuddy.agent.builder.AgentBuilder;

/** One family of hooks: the types it transforms and, per hook site, the methods and the advice put on them. */
interface HookFamily {

    String name();

    /** The JDK class the family hooks; {@code null} when it hooks server and application classes instead. */
    String jdkType();

    /** The types to transform: by default the JDK class, by exact name. */
    default AgentBuilder.RawMatcher types() {
        return new AgentBuilder.RawMatcher.ForElementMatchers(named(jdkType()));
    }

    List<HookSite> sites();
}
