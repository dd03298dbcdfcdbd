package dev.hostguard.demo;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Native code a request can be talked into, one way per API: JNI ({@code System.load}, {@code Runtime.loadLibrary}),
 * JNA (when the service ships it) and the FFM API (JDK 22+). Compiled for Java 17, so JNA and FFM are reached by
 * reflection; every failure is thrown to the caller unchanged (an {@link Error} of the JNI and JNA calls included,
 * as a service's own code would leave it).
 *
 * <p>The FFM and JNA actions call libc's {@code mkdir(path, 0700)}: a harmless function whose effect (a directory at
 * {@code path}) shows whether the native call happened. Parameters: {@code path} (the library, or the directory to
 * make), {@code name} for {@code jni-load-library}.
 */
final class NativeOperations {
    private static final int MODE_0700 = 0700;

    private NativeOperations() {
    }

    /** {@code System.load(path)}; default the JDK's own {@code lib/librmi.so}, which nothing else here loads. */
    static String jniLoad(Map<String, String> params) {
        String library = params.getOrDefault("path",
                Path.of(System.getProperty("java.home"), "lib", "librmi.so").toString());
        System.load(library);
        return "loaded " + library;
    }

    /** {@code Runtime.getRuntime().loadLibrary(name)}; default {@code j2gss} (the JDK's lib/libj2gss.so). */
    static String jniLoadLibrary(Map<String, String> params) {
        String name = params.getOrDefault("name", "j2gss");
        Runtime.getRuntime().loadLibrary(name);
        return "loaded " + name;
    }

    /** JNA: {@code NativeLibrary.getInstance("c").getFunction("mkdir").invokeInt(path, 0700)}. */
    static String jnaMkdir(Map<String, String> params) throws Exception {
        String path = Actions.required(params, "path");
        Class<?> nativeLibrary;
        try {
            nativeLibrary = Class.forName("com.sun.jna.NativeLibrary");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("JNA is not on the class path", e);
        }
        Object libc = invoke(nativeLibrary.getMethod("getInstance", String.class), null, "c");
        Object mkdir = invoke(nativeLibrary.getMethod("getFunction", String.class), libc, "mkdir");
        Object rc = invoke(mkdir.getClass().getMethod("invokeInt", Object[].class), mkdir,
                (Object) new Object[] {path, MODE_0700});
        return "mkdir=" + rc;
    }

    /**
     * FFM: {@code SymbolLookup.libraryLookup("libc.so.6", Arena.global()).find("mkdir")}, a downcall handle for it,
     * and the call.
     */
    static String ffmLibraryMkdir(Map<String, String> params) throws Exception {
        Ffm ffm = Ffm.require();
        Object arena = ffm.arena.getMethod("global").invoke(null);
        Object lookup = invoke(ffm.symbolLookup.getMethod("libraryLookup", String.class, ffm.arena), null,
                params.getOrDefault("library", "libc.so.6"), arena);
        return ffm.mkdir(lookup, Actions.required(params, "path"));
    }

    /** FFM: {@code Linker.nativeLinker().defaultLookup().find("mkdir")} (no library loaded), a downcall, the call. */
    static String ffmMkdir(Map<String, String> params) throws Exception {
        Ffm ffm = Ffm.require();
        Object linker = ffm.linker.getMethod("nativeLinker").invoke(null);
        Object lookup = ffm.linker.getMethod("defaultLookup").invoke(linker);
        return ffm.mkdir(lookup, Actions.required(params, "path"));
    }

    private static Object call(MethodHandle handle, Object... args) throws Exception {
        try {
            return handle.invokeWithArguments(args);
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Calls {@code method}, throwing what it threw rather than a reflection wrapper. */
    private static Object invoke(Method method, Object target, Object... args) throws Exception {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** The FFM API's classes, by name (final in JDK 22). */
    private record Ffm(Class<?> linker, Class<?> symbolLookup, Class<?> arena, Class<?> segment,
                       Class<?> descriptor, Class<?> layout, Class<?> option) {

        static Ffm require() throws ClassNotFoundException {
            if (Runtime.version().feature() < 22) {
                throw new UnsupportedOperationException("the FFM API needs JDK 22; this is " + Runtime.version());
            }
            return new Ffm(Class.forName("java.lang.foreign.Linker"), Class.forName("java.lang.foreign.SymbolLookup"),
                    Class.forName("java.lang.foreign.Arena"), Class.forName("java.lang.foreign.MemorySegment"),
                    Class.forName("java.lang.foreign.FunctionDescriptor"), Class.forName("java.lang.foreign.MemoryLayout"),
                    Class.forName("java.lang.foreign.Linker$Option"));
        }

        /** {@code int mkdir(const char *path, mode_t mode)} found in {@code lookup}, linked and called. */
        String mkdir(Object lookup, String path) throws Exception {
            Optional<?> symbol = (Optional<?>) symbolLookup.getMethod("find", String.class).invoke(lookup, "mkdir");
            Class<?> valueLayout = Class.forName("java.lang.foreign.ValueLayout");
            Object javaInt = valueLayout.getField("JAVA_INT").get(null);
            Object address = valueLayout.getField("ADDRESS").get(null);
            Object layouts = Array.newInstance(layout, 2);
            Array.set(layouts, 0, address);
            Array.set(layouts, 1, javaInt);
            Object function = descriptor.getMethod("of", layout, layouts.getClass()).invoke(null, javaInt, layouts);
            Object linker = this.linker.getMethod("nativeLinker").invoke(null);
            MethodHandle handle = (MethodHandle) invoke(this.linker.getMethod("downcallHandle", segment, descriptor,
                    Array.newInstance(option, 0).getClass()), linker, symbol.orElseThrow(), function,
                    Array.newInstance(option, 0));
            try (AutoCloseable arena = (AutoCloseable) arena().getMethod("ofConfined").invoke(null)) {
                Object cPath = Class.forName("java.lang.foreign.SegmentAllocator").getMethod("allocateFrom", String.class)
                        .invoke(arena, path);
                return "mkdir=" + call(handle, cPath, MODE_0700);
            }
        }
    }
}
