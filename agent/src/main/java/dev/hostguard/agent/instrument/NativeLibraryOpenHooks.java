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
import net.bytebuddy.asm.Advice;

/**
 * Native libraries the JDK's own classes open outside {@code NativeLibraries} (so no JNI load is judged), at a path
 * or name a caller chooses: findings of the {@code native-code} rule, as a JNI load is. The same shapes on JDK 17 and
 * 25; none of these classes is loaded unless the service uses the API.
 * <ul>
 *   <li>SunPKCS11's {@code sun.security.pkcs11.wrapper.PKCS11(String modulePath, String functionList)}, the native
 *       {@code connect}'s one caller: the module a configuration's {@code library=} names
 *       ({@code Security.getProvider("SunPKCS11").configure(...)}).</li>
 *   <li>{@code sun.security.pkcs11.Secmod.initialize(DbMode, String configDir, String nssLibDir, boolean)}, which the
 *       other {@code initialize}s call: the NSS library in {@code nssLibDir} ({@code nssLoadLibrary}).</li>
 *   <li>{@code sun.security.smartcardio.PlatformPCSC.getLibraryName()} (its answer: the library the
 *       {@code sun.security.smartcardio.library} property or the platform's default names), called by the class's
 *       initializer just before the native {@code initialize(library)} opens it. A refusal there becomes the
 *       class's {@code initException}: javax.smartcardio then reports PC/SC unavailable for the rest of the JVM's
 *       life, as when the library is missing (the JDK opens it once).</li>
 * </ul>
 * Each refusal is the {@code HostGuardBlockedException}, an {@code IOException}, as each method declares.
 */
final class NativeLibraryOpenHooks implements HookFamily {
    @Override
    public String name() {
        return "native-library-open";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(
                HookTarget.jdk("sun.security.pkcs11.wrapper.PKCS11", new HookSite("PKCS11.<init>",
                        HookSite.CONSTRUCTOR, takes(String.class, String.class), advice("Pkcs11Advice"), true)),
                HookTarget.jdk("sun.security.pkcs11.Secmod", new HookSite("Secmod.initialize", "initialize",
                        not(isStatic()).and(takesArguments(4)).and(takesArgument(1, named(String.class.getName())))
                                .and(takesArgument(2, named(String.class.getName())))
                                .and(takesArgument(3, named(boolean.class.getName()))), advice("NssAdvice"), true)),
                HookTarget.jdk("sun.security.smartcardio.PlatformPCSC", new HookSite("PlatformPCSC.getLibraryName",
                        "getLibraryName", isStatic().and(takesArguments(0)), advice("PcscAdvice"), true)));
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
