package dev.hostguard.agent.instrument;

import static dev.hostguard.agent.instrument.HookFamily.takes;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.not;

import dev.hostguard.agent.bootstrap.Hooks;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * HostGuard's own state against code running in the service (issue 14): the JDK's choke points through which
 * ordinary Java reaches a private member of another class, for HostGuard's classes only (the boot-loader facade, the
 * agent, the libraries it shades: {@code dev.hostguard.agent.*}), whatever loader and whoever asks but HostGuard.
 * <ul>
 *   <li>{@code java.lang.reflect.AccessibleObject.checkCanSetAccessible(Class, Class, boolean)}: every
 *       {@code setAccessible(true)} of a {@code Field}, {@code Method} or {@code Constructor},
 *       {@code AccessibleObject.setAccessible(array, true)} and {@code trySetAccessible()} (the JDK's own check of
 *       whether the member's module opens its package, which unnamed modules always do): refused with the
 *       {@code InaccessibleObjectException} the JDK throws for a module that does not open the package, or
 *       {@code false} for {@code trySetAccessible}. Inside a request, also a thread's thread-locals
 *       ({@code Thread.threadLocals}, {@code inheritableThreadLocals}, {@code ThreadLocalMap}), which a service run
 *       with {@code --add-opens java.base/java.lang} would otherwise let its code clear.</li>
 *   <li>{@code java.lang.invoke.MethodHandles.privateLookupIn(Class, Lookup)}: a lookup with private access (a
 *       {@code VarHandle} on a private static field, an unreflected setter): the {@code IllegalAccessException} it
 *       declares.</li>
 *   <li>{@code sun.misc.Unsafe.objectFieldOffset}, {@code staticFieldOffset}, {@code staticFieldBase}: the offset an
 *       {@code Unsafe} write needs ({@code jdk.internal.misc.Unsafe} is out of reach without {@code --add-exports}):
 *       an {@code UnsupportedOperationException}. An offset found another way (a class of the same layout, a scan) is
 *       not refused: the agent's self-check sees what such a write changed.</li>
 * </ul>
 * Each refusal is a {@code tamper} event; inside a guarded request in block mode the request is refused too. The
 * first test, on every {@code setAccessible} of the JVM, is one prefix compare of the declaring class's cached name
 * (ReflectionGuardBenchmark). Same shapes on JDK 17 and 25; the three classes are loaded before any agent, or with
 * the first use of {@code Unsafe}.
 */
final class SelfProtectionHooks implements HookFamily {
    static final String ACCESSIBLE_OBJECT = "java.lang.reflect.AccessibleObject";
    static final String METHOD_HANDLES = "java.lang.invoke.MethodHandles";
    static final String UNSAFE = "sun.misc.Unsafe";

    @Override
    public String name() {
        return "self-protection";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(
                HookTarget.jdk(ACCESSIBLE_OBJECT, new HookSite("AccessibleObject.checkCanSetAccessible",
                        "checkCanSetAccessible", not(isStatic()).and(takes(Class.class, Class.class, boolean.class)),
                        advice("CanSetAccessibleAdvice"), true)),
                HookTarget.jdk(METHOD_HANDLES, new HookSite("MethodHandles.privateLookupIn", "privateLookupIn",
                        isStatic().and(takes(Class.class, MethodHandles.Lookup.class)), advice("PrivateLookupAdvice"),
                        true)),
                HookTarget.jdk(UNSAFE,
                        new HookSite("Unsafe.objectFieldOffset", "objectFieldOffset", not(isStatic())
                                .and(takes(Field.class)), advice("ObjectFieldOffsetAdvice"), true),
                        new HookSite("Unsafe.staticFieldOffset", "staticFieldOffset", not(isStatic())
                                .and(takes(Field.class)), advice("StaticFieldOffsetAdvice"), true),
                        new HookSite("Unsafe.staticFieldBase", "staticFieldBase", not(isStatic())
                                .and(takes(Field.class)), advice("StaticFieldBaseAdvice"), true)));
    }

    static final class CanSetAccessibleAdvice {
        private CanSetAccessibleAdvice() {
        }

        /** A refusal skips the check, which then answers false; asked to throw, the facade throws. */
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This Object member, @Advice.Argument(0) Class<?> caller,
                             @Advice.Argument(1) Class<?> declaring, @Advice.Argument(2) boolean raise) {
            return Hooks.accessRefused(member, caller, declaring, raise);
        }
    }

    static final class PrivateLookupAdvice {
        private PrivateLookupAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Class<?> target, @Advice.Argument(1) MethodHandles.Lookup caller)
                throws IllegalAccessException {
            Hooks.privateLookupRefused(target, caller);
        }
    }

    static final class ObjectFieldOffsetAdvice {
        private ObjectFieldOffsetAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Field field) {
            Hooks.unsafeOffsetRefused(field, "objectFieldOffset");
        }
    }

    static final class StaticFieldOffsetAdvice {
        private StaticFieldOffsetAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Field field) {
            Hooks.unsafeOffsetRefused(field, "staticFieldOffset");
        }
    }

    static final class StaticFieldBaseAdvice {
        private StaticFieldBaseAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Field field) {
            Hooks.unsafeOffsetRefused(field, "staticFieldBase");
        }
    }
}
