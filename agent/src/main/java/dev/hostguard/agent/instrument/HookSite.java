package dev.hostguard.agent.instrument;

import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Methods that get one advice class.
 *
 * @param name the site's name in diagnostics and the self-test
 * @param method the methods' name as the class file spells it ({@link #CONSTRUCTOR} for constructors): the
 *               transformer looks at no other method of the class
 * @param shape exactly which of the methods of that name: argument types, modifiers (Byte Buddy's matchers, on
 *              the class as a {@code TypePool} describes its class file), one per JDK shape
 * @param advice the advice class (Byte Buddy {@code Advice}), by binary name: it is described from its class file
 *               and never loaded
 * @param required whether start-up must find it on the running JDK (for JDK classes loaded at start-up)
 */
record HookSite(String name, String method, ElementMatcher<? super MethodDescription> shape, String advice,
                boolean required) {
    static final String CONSTRUCTOR = MethodDescription.CONSTRUCTOR_INTERNAL_NAME;

    /** Whether {@code candidate} is one of this site's methods. */
    boolean matches(MethodDescription candidate) {
        return candidate.getInternalName().equals(method) && shape.matches(candidate);
    }
}
