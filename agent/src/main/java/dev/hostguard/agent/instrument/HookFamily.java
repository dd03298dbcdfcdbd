package dev.hostguard.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.util.List;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** One family of hooks (process starts, file opens, ...): the types it transforms and what it puts on them. */
interface HookFamily {

    String name();

    List<HookTarget> targets();

    /**
     * Methods taking exactly these argument types, compared by name as the class file spells them: the same as
     * Byte Buddy's {@code takesArguments(Class...)}, without describing each class by reflection, which would
     * initialise Byte Buddy's reflective machinery on the service's main thread, where the hooks are declared.
     */
    static ElementMatcher.Junction<MethodDescription> takes(Class<?>... types) {
        String[] names = new String[types.length];
        for (int i = 0; i < types.length; i++) {
            names[i] = types[i].getTypeName();
        }
        return takes(names);
    }

    /**
     * Methods whose argument {@code index} is of this type, compared by name: Byte Buddy's
     * {@code takesArgument(int, Class)} describes the class by reflection (see {@link #takes(Class...)}).
     */
    static ElementMatcher.Junction<MethodDescription> argument(int index, Class<?> type) {
        return takesArgument(index, named(type.getTypeName()));
    }

    /**
     * As {@link #takes(Class...)}, with the types' names as {@link Class#getTypeName()} spells them: for a type
     * the service may never load ({@code ProcessBuilder.Redirect[]}), whose class literal would load it.
     */
    static ElementMatcher.Junction<MethodDescription> takes(String... typeNames) {
        ElementMatcher.Junction<MethodDescription> matcher = takesArguments(typeNames.length);
        for (int i = 0; i < typeNames.length; i++) {
            matcher = matcher.and(takesArgument(i, named(typeNames[i])));
        }
        return matcher;
    }

    /**
     * The binary name of advice nested in this family: named, never loaded (Byte Buddy reads its class file, and
     * the advice only ever runs inlined into the hooked methods).
     */
    default String advice(String simpleName) {
        return getClass().getName() + "$" + simpleName;
    }
}
