package dev.hostguard.agent.instrument;

import static dev.hostguard.agent.instrument.HookFamily.takes;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.hostguard.agent.bootstrap.HostGuardBlockedException;
import dev.hostguard.agent.bootstrap.Hooks;
import java.util.List;
import java.util.Map;
import net.bytebuddy.asm.Advice;

/**
 * Native code: where a JVM loads a library or links Java to a native function.
 * <ul>
 *   <li>JNI: {@code jdk.internal.loader.NativeLibraries.loadLibrary(Class, String, boolean)} (private, JDK 17 to 25),
 *       which every JNI load reaches once the file is found ({@code System.load}, {@code System.loadLibrary},
 *       {@code Runtime.load}, {@code Runtime.loadLibrary} through {@code ClassLoader.loadLibrary}, a class loader's
 *       {@code findLibrary}, the JDK's own {@code BootLoader.loadLibrary}), with the canonical path and the class
 *       that asked ({@code fromClass}: the facade lets the JDK's own classes go).</li>
 *   <li>FFM (JDK 22+, so not every supported JDK has these classes: they are hooked by name like a library's, and
 *       {@code NativeCodeHookDriftTest} checks them where they exist): {@code SymbolLookup.libraryLookup(String,
 *       Arena)} and {@code (Path, Arena)}; {@code jdk.internal.foreign.abi.AbstractLinker.downcallHandle} (both
 *       public shapes, behind {@code Linker.nativeLinker().downcallHandle}).</li>
 *   <li>JNA, when the service ships it: {@code com.sun.jna.NativeLibrary.getInstance(String, Map)}, which every
 *       {@code Native.load}, {@code loadLibrary}, {@code register} and {@code NativeLibrary.getInstance} reaches, and
 *       {@code getProcess(Map)} (the process's own symbols, libc's included). JNA's own {@code jnidispatch} is a JNI
 *       load.</li>
 *   <li>jnr-ffi (and jnr-unixsocket, jnr-posix on it), when the service ships it: jffi's private
 *       {@code com.kenai.jffi.Library.dlopen(Foreign, String, int)}, which every library jnr-ffi opens reaches
 *       ({@code LibraryLoader.load}, {@code Library.getCachedInstance}, {@code openLibrary}, {@code getDefault}: the
 *       process's own symbols). jffi's own stub library is a JNI load.</li>
 *   <li>Libraries the JDK's own classes open outside {@code NativeLibraries}, at a path or name a caller chooses:
 *       SunPKCS11's {@code sun.security.pkcs11.wrapper.PKCS11(String modulePath, String functionList)}, the native
 *       {@code connect}'s one caller (a configuration's {@code library=}); {@code Secmod.initialize(DbMode, String,
 *       String, boolean)}, the NSS library in its {@code nssLibDir}; {@code PlatformPCSC.getLibraryName()}'s answer,
 *       the smart-card library its initializer opens next (a refusal there becomes the class's
 *       {@code initException}: javax.smartcardio reports PC/SC unavailable for the rest of the JVM's life, as when
 *       the library is missing). Each refusal is the {@code HostGuardBlockedException}, as each method declares an
 *       {@code IOException}.</li>
 * </ul>
 */
final class NativeCodeHooks implements HookFamily {
    static final String FFM_SYMBOL_LOOKUP = "java.lang.foreign.SymbolLookup";
    static final String FFM_LINKER = "jdk.internal.foreign.abi.AbstractLinker";
    private static final String ARENA = "java.lang.foreign.Arena";
    private static final String MEMORY_SEGMENT = "java.lang.foreign.MemorySegment";
    private static final String FUNCTION_DESCRIPTOR = "java.lang.foreign.FunctionDescriptor";

    @Override
    public String name() {
        return "native-code";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(
                HookTarget.jdk("jdk.internal.loader.NativeLibraries", new HookSite("NativeLibraries.loadLibrary",
                        "loadLibrary", not(isStatic()).and(takes(Class.class, String.class, boolean.class)),
                        advice("JniLoadAdvice"), true)),
                HookTarget.library(FFM_SYMBOL_LOOKUP,
                        new HookSite("SymbolLookup.libraryLookup(String)", "libraryLookup", isStatic()
                                .and(takesArguments(2)).and(takesArgument(0, named(String.class.getName())))
                                .and(takesArgument(1, named(ARENA))), advice("LibraryLookupAdvice"), false),
                        new HookSite("SymbolLookup.libraryLookup(Path)", "libraryLookup", isStatic()
                                .and(takesArguments(2)).and(takesArgument(0, named("java.nio.file.Path")))
                                .and(takesArgument(1, named(ARENA))), advice("LibraryLookupAdvice"), false)),
                HookTarget.library(FFM_LINKER,
                        new HookSite("AbstractLinker.downcallHandle(symbol)", "downcallHandle", not(isStatic())
                                .and(takesArguments(3)).and(takesArgument(0, named(MEMORY_SEGMENT)))
                                .and(takesArgument(1, named(FUNCTION_DESCRIPTOR))),
                                advice("BoundDowncallAdvice"), false),
                        new HookSite("AbstractLinker.downcallHandle", "downcallHandle", not(isStatic())
                                .and(takesArguments(2)).and(takesArgument(0, named(FUNCTION_DESCRIPTOR))),
                                advice("UnboundDowncallAdvice"), false)),
                HookTarget.library("com.sun.jna.NativeLibrary",
                        new HookSite("NativeLibrary.getInstance", "getInstance", isStatic()
                                .and(takes(String.class, Map.class)), advice("JnaLoadAdvice"), false),
                        new HookSite("NativeLibrary.getProcess", "getProcess", isStatic().and(takes(Map.class)),
                                advice("JnaProcessAdvice"), false)),
                HookTarget.library("com.kenai.jffi.Library",
                        new HookSite("Library.dlopen", "dlopen", isStatic().and(takesArguments(3))
                                .and(takesArgument(0, named("com.kenai.jffi.Foreign")))
                                .and(takesArgument(1, named(String.class.getName()))), advice("JffiOpenAdvice"),
                                false)),
                HookTarget.jdk("sun.security.pkcs11.wrapper.PKCS11", new HookSite("PKCS11.<init>",
                        HookSite.CONSTRUCTOR, takes(String.class, String.class), advice("Pkcs11Advice"), true)),
                HookTarget.jdk("sun.security.pkcs11.Secmod", new HookSite("Secmod.initialize", "initialize",
                        not(isStatic()).and(takesArguments(4)).and(takesArgument(1, named(String.class.getName())))
                                .and(takesArgument(2, named(String.class.getName())))
                                .and(takesArgument(3, named(boolean.class.getName()))), advice("NssAdvice"), true)),
                HookTarget.jdk("sun.security.smartcardio.PlatformPCSC", new HookSite("PlatformPCSC.getLibraryName",
                        "getLibraryName", isStatic().and(takesArguments(0)), advice("PcscAdvice"), true)));
    }

    /** The FFM targets, which exist on JDK 22+ only. */
    static List<HookTarget> ffmTargets() {
        return new NativeCodeHooks().targets().stream()
                .filter(t -> t.exactType().equals(FFM_SYMBOL_LOOKUP) || t.exactType().equals(FFM_LINKER)).toList();
    }

    static final class JniLoadAdvice {
        private JniLoadAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Class<?> fromClass, @Advice.Argument(1) String name) {
            Hooks.nativeLibraryLoad(fromClass, name);
        }
    }

    static final class LibraryLookupAdvice {
        private LibraryLookupAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object library) {
            Hooks.ffmLibraryLookup(library);
        }
    }

    static final class BoundDowncallAdvice {
        private BoundDowncallAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object symbol, @Advice.Argument(1) Object descriptor) {
            Hooks.ffmDowncall(symbol, descriptor);
        }
    }

    static final class UnboundDowncallAdvice {
        private UnboundDowncallAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object descriptor) {
            Hooks.ffmDowncall(null, descriptor);
        }
    }

    static final class JnaLoadAdvice {
        private JnaLoadAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) String name) {
            Hooks.nativeLibraryOpen("jna", name);
        }
    }

    static final class JnaProcessAdvice {
        private JnaProcessAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter() {
            Hooks.nativeLibraryOpen("jna", null);
        }
    }

    /** jnr-ffi's library open: the name is the second argument ({@code null}: the process's own symbols). */
    static final class JffiOpenAdvice {
        private JffiOpenAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(1) String name) {
            Hooks.nativeLibraryOpen("jnr-ffi", name);
        }
    }

    static final class Pkcs11Advice {
        private Pkcs11Advice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) String module) throws java.io.IOException {
            HostGuardBlockedException refused = Hooks.nativeLibraryRefusal("pkcs11", module);
            if (refused != null) {
                throw refused;
            }
        }
    }

    static final class NssAdvice {
        private NssAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(2) String nssLibraryDirectory) throws java.io.IOException {
            HostGuardBlockedException refused = Hooks.nativeLibraryRefusal("pkcs11-nss", nssLibraryDirectory);
            if (refused != null) {
                throw refused;
            }
        }
    }

    static final class PcscAdvice {
        private PcscAdvice() {
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Return String library) throws java.io.IOException {
            HostGuardBlockedException refused = Hooks.nativeLibraryRefusal("smartcardio", library);
            if (refused != null) {
                throw refused;
            }
        }
    }
}
