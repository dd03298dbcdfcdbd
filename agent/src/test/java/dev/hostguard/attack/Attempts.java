package dev.hostguard.attack;

import java.lang.invoke.MethodHandles;
import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Field;

/**
 * What code injected into a service tries against HostGuard's own state, from outside HostGuard's package (a class in
 * {@code dev.hostguard.agent} is HostGuard's own, and may reflect into it).
 */
public final class Attempts {
    static final String HOOKS = "dev.hostguard.agent.bootstrap.Hooks";
    static final String GUARD = "dev.hostguard.agent.Guard";

    private Attempts() {
    }

    /** {@code Hooks.handler = null} through {@code Field.setAccessible} and {@code Field.set}. */
    public static void setAccessibleHandler() throws Exception {
        Field handler = Class.forName(HOOKS).getDeclaredField("handler");
        handler.setAccessible(true);
        handler.set(null, null);
    }

    /** {@code trySetAccessible} of the handler's policy in force. */
    public static boolean trySetAccessibleGuardPolicy() throws Exception {
        return Class.forName(GUARD, false, ClassLoader.getSystemClassLoader()).getDeclaredField("active")
                .trySetAccessible();
    }

    /** {@code AccessibleObject.setAccessible(array, true)} over the facade's thread-local of request scopes. */
    public static void setAccessibleArrayScope() throws Exception {
        Field scope = Class.forName(HOOKS).getDeclaredField("SCOPE");
        AccessibleObject.setAccessible(new AccessibleObject[] {scope}, true);
        ((ThreadLocal<?>) scope.get(null)).remove();
    }

    /** The thread's own inheritable thread-locals (where the facade keeps its scope) made accessible. */
    public static void threadsInheritableThreadLocals() throws Exception {
        Thread.class.getDeclaredField("inheritableThreadLocals").setAccessible(true);
    }

    /** A private lookup in the facade and a {@code VarHandle} on {@code outsideRequests}. */
    public static void privateLookup() throws Exception {
        MethodHandles.privateLookupIn(Class.forName(HOOKS), MethodHandles.lookup())
                .findStaticVarHandle(Class.forName(HOOKS), "outsideRequests", boolean.class).set(false);
    }

    /** {@code sun.misc.Unsafe}: the theUnsafe field (the JDK's, open), then the offset of {@code Hooks.handler}. */
    public static long unsafeStaticOffset() throws Exception {
        return unsafe().staticFieldOffset(Class.forName(HOOKS).getDeclaredField("handler"));
    }

    public static Object unsafeStaticBase() throws Exception {
        return unsafe().staticFieldBase(Class.forName(HOOKS).getDeclaredField("handler"));
    }

    public static long unsafeObjectOffset() throws Exception {
        return unsafe().objectFieldOffset(Class.forName("dev.hostguard.agent.bootstrap.RequestScope")
                .getDeclaredField("busy"));
    }

    /** The facade's public methods out of turn: judging outside requests off, a second installation. */
    public static void judgeOutsideRequestsOff() throws Exception {
        Class.forName(HOOKS).getMethod("judgeOutsideRequests", boolean.class).invoke(null, false);
    }

    /** A class of one's own: reflection into it works as ever. */
    public static String ownReflection() throws Exception {
        Field secret = Own.class.getDeclaredField("secret");
        secret.setAccessible(true);
        Own own = new Own();
        secret.set(own, "changed");
        return own.secret;
    }

    private static sun.misc.Unsafe unsafe() throws Exception {
        Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        return (sun.misc.Unsafe) f.get(null);
    }

    private static final class Own {
        private String secret = "original";
    }
}
