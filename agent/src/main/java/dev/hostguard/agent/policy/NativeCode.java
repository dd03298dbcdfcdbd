package dev.hostguard.agent.policy;

import java.util.EnumSet;
import java.util.List;

/**
 * Native code inside a guarded request: a JNI library loaded ({@code System.load}, {@code System.loadLibrary},
 * {@code Runtime}'s, a class loader's {@code findLibrary}), a JNA or jnr-ffi library opened, an FFM library looked up, an FFM
 * downcall handle made. No Java agent can judge what native code does once it runs, so loading it, or linking Java to
 * it, is the finding: one rule, {@code native-code}. The JDK's own libraries (loaded by the boot and platform class
 * loaders' classes, at start-up or lazily) are never judged; the hooks tell them apart before asking.
 */
public final class NativeCode {
    /** The one rule of native code. Applies to "execute": loading a library runs its initialisers. */
    public static final Rule RULE = new Rule("native-code", "native code", EnumSet.of(FileAccess.EXECUTE),
            "native code loaded or linked by a request that carries only an API key, or nothing: a JNI library"
                    + " (System.load/loadLibrary), a JNA or jnr-ffi library, an FFM library lookup or downcall; what it does"
                    + " below Java no agent can see",
            "HostGuard threat model (below Java: JNI, JNA, the FFM API); JEP 472 (restricted native access)");

    /** How the code came in: the {@code hostguard.native_api} of events. */
    public static final String JNI = "jni";
    public static final String JNA = "jna";
    public static final String JNR_FFI = "jnr-ffi";
    public static final String FFM_LIBRARY_LOOKUP = "ffm-library-lookup";
    public static final String FFM_DOWNCALL = "ffm-downcall";

    private NativeCode() {
    }

    /**
     * A library loaded or looked up.
     *
     * @param api {@link #JNI}, {@link #JNA}, {@link #JNR_FFI} or {@link #FFM_LIBRARY_LOOKUP}
     * @param library the library's path (canonical where the JDK made it so) or its name as given
     */
    public static Operation load(String api, String library, Rule rule) {
        return new Operation(Action.NATIVE_LOAD, library, null, null, List.of(api), null, rule);
    }

    /**
     * A downcall handle made.
     *
     * @param function the function: its descriptor, and its address or symbol where known
     */
    public static Operation downcall(String function, Rule rule) {
        return new Operation(Action.NATIVE_DOWNCALL, function, null, null, List.of(FFM_DOWNCALL), null, rule);
    }

    /** The API a native operation came through ({@code jni}, {@code jna}, ...); {@code null} for other operations. */
    public static String api(Operation operation) {
        return (operation.action() == Action.NATIVE_LOAD || operation.action() == Action.NATIVE_DOWNCALL)
                && !operation.arguments().isEmpty() ? operation.arguments().get(0) : null;
    }
}
