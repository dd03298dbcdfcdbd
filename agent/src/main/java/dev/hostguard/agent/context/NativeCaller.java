package dev.hostguard.agent.context;

import java.util.List;
import java.util.Set;

/**
 * Who asked for native code through the FFM API, and how to name what was linked. JNI loads name their caller
 * ({@code fromClass}, checked in the facade); FFM calls do not, so the stack tells, and only after the request was
 * found guarded: never on an allowed path.
 */
public final class NativeCaller {
    /** Between the hooked method and whoever asked: the FFM implementation, method handles, reflection, us. */
    private static final List<String> MACHINERY = List.of("java.lang.foreign.", "jdk.internal.foreign.",
            "java.lang.invoke.", "java.lang.reflect.", "jdk.internal.reflect.", "dev.hostguard.agent.");
    private static final StackWalker WALKER = StackWalker.getInstance(Set.of(StackWalker.Option.RETAIN_CLASS_REFERENCE));

    private NativeCaller() {
    }

    /** Whether the first caller above the FFM machinery is one of the JDK's own classes (boot or platform loader). */
    public static boolean isJdk() {
        return WALKER.walk(frames -> frames
                .filter(f -> MACHINERY.stream().noneMatch(f.getClassName()::startsWith))
                .findFirst()
                .map(f -> {
                    ClassLoader loader = f.getDeclaringClass().getClassLoader();
                    return loader == null || loader == ClassLoader.getPlatformClassLoader();
                })
                .orElse(false));
    }

    /**
     * A downcall as events name it: its {@code FunctionDescriptor} ({@code (a8i4)i4}: an address and an int in, an
     * int out) and the address it is bound to; the symbol's name is not known to the linker.
     */
    public static String describeDowncall(Object symbol, Object descriptor) {
        String function = "function " + descriptor;
        if (symbol == null) {
            return function + " (unbound: the address is given at each call)";
        }
        try {
            long address = (long) Class.forName("java.lang.foreign.MemorySegment").getMethod("address").invoke(symbol);
            return function + " at 0x" + Long.toHexString(address);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return function + " at " + symbol;
        }
    }
}
