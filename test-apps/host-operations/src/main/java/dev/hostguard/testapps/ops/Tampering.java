package dev.hostguard.testapps.ops;

import java.lang.invoke.MethodHandles;
import java.lang.management.ManagementFactory;
import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.management.Attribute;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The {@code tamper} operation: what an expression or script injected into a request would evaluate to switch
 * HostGuard off, one family per request ({@code family}), aimed at the class and field the request names
 * ({@code class}, {@code field}; defaults: the agent's boot-loader facade {@code Hooks} and its {@code handler}). A
 * small reflection interpreter of the request's parameters: nothing here knows HostGuard's types. Every attempt's
 * failure is caught, as an attacker's script would, and named in the answer ({@code attempt=<outcome>}); then the
 * caller's command runs ({@code exec}), which a guard still on refuses.
 *
 * <ul>
 *   <li>{@code set-accessible}: {@code Field.setAccessible(true)}, then {@code Field.set} of the static field to
 *       {@code null} ({@code false} for a boolean)</li>
 *   <li>{@code try-set-accessible}: {@code trySetAccessible()}, then the same</li>
 *   <li>{@code accessible-array}: {@code AccessibleObject.setAccessible(AccessibleObject[], true)}</li>
 *   <li>{@code thread-local}: the facade's per-thread scopes ({@code SCOPE}) removed for this thread through
 *       reflection, else the thread's own {@code inheritableThreadLocals} and {@code threadLocals} cleared (the test
 *       apps run with {@code --add-opens java.base/java.lang}, as many services do)</li>
 *   <li>{@code private-lookup}: {@code MethodHandles.privateLookupIn} and a {@code VarHandle} set</li>
 *   <li>{@code unsafe-offset}: {@code sun.misc.Unsafe}'s {@code staticFieldBase}/{@code staticFieldOffset}, then
 *       {@code putObject}</li>
 *   <li>{@code unsafe-write}: {@code jdk.internal.misc.Unsafe} (only with
 *       {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}): the write HostGuard cannot refuse</li>
 *   <li>{@code facade-call}: the facade's public methods out of turn: {@code judgeOutsideRequests(false)},
 *       {@code install(null)}, {@code installAbandoned()}, {@code requestExit} with a forged token</li>
 *   <li>{@code system-properties}: {@code dev.hostguard.*} and {@code hostguard.*} properties set to switch it off</li>
 *   <li>{@code jmx}: a counter of each of the platform MBean server's {@code dev.hostguard} MBeans set, an
 *       operation invoked (the agent runs with {@code metrics=jmx}), and a VM option set through
 *       {@code HotSpotDiagnostic}</li>
 *   <li>{@code forged-entry}: {@code Hooks.requestEnter} called by hand with a request object of its own making,
 *       never left</li>
 *   <li>{@code own-reflection}: reflection into a class of the app's own (must keep working)</li>
 * </ul>
 */
final class Tampering {
    static final String FACADE = "dev.hostguard.agent.bootstrap.Hooks";

    private Tampering() {
    }

    /** @return what the attempt came to: {@code done ...}, or {@code failed <exception>: <message>} */
    static String attempt(Map<String, String> params) {
        String family = params.getOrDefault("family", "");
        String className = params.getOrDefault("class", FACADE);
        String fieldName = params.getOrDefault("field", "handler");
        try {
            return "done " + run(family, className, fieldName);
        } catch (Throwable t) {
            Throwable cause = t instanceof java.lang.reflect.InvocationTargetException && t.getCause() != null
                    ? t.getCause() : t;
            return "failed " + cause.getClass().getName() + ": " + cause.getMessage();
        }
    }

    private static String run(String family, String className, String fieldName) throws Throwable {
        return switch (family) {
            case "set-accessible" -> {
                Field field = field(className, fieldName);
                field.setAccessible(true);
                field.set(null, off(field));
                yield "set " + field;
            }
            case "try-set-accessible" -> {
                Field field = field(className, fieldName);
                if (!field.trySetAccessible()) {
                    throw new IllegalAccessException("trySetAccessible answered false for " + field);
                }
                field.set(null, off(field));
                yield "set " + field;
            }
            case "accessible-array" -> {
                Field field = field(className, fieldName);
                AccessibleObject.setAccessible(new AccessibleObject[] {field}, true);
                field.set(null, off(field));
                yield "set " + field;
            }
            case "thread-local" -> {
                String viaFacade;
                try {
                    Field scopes = field(FACADE, "SCOPE");
                    scopes.setAccessible(true);
                    ((ThreadLocal<?>) scopes.get(null)).remove();
                    yield "removed this thread's scope";
                } catch (RuntimeException | ReflectiveOperationException e) {
                    viaFacade = e.getClass().getSimpleName();
                }
                // the thread's own maps: java.base opens java.lang only with --add-opens (the test apps have it)
                for (String name : new String[] {"inheritableThreadLocals", "threadLocals"}) {
                    Field locals = Thread.class.getDeclaredField(name);
                    locals.setAccessible(true);
                    locals.set(Thread.currentThread(), null);
                }
                yield "cleared the thread's thread-locals (the facade's way: " + viaFacade + ")";
            }
            case "private-lookup" -> {
                Field field = field(className, fieldName);
                MethodHandles.privateLookupIn(field.getDeclaringClass(), MethodHandles.lookup())
                        .findStaticVarHandle(field.getDeclaringClass(), fieldName, field.getType()).set(off(field));
                yield "set " + field + " through a VarHandle";
            }
            case "unsafe-offset" -> {
                Field field = field(className, fieldName);
                Field theUnsafe = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
                theUnsafe.setAccessible(true); // jdk.unsupported opens sun.misc
                Object unsafe = theUnsafe.get(null);
                Class<?> type = unsafe.getClass();
                Object base = type.getMethod("staticFieldBase", Field.class).invoke(unsafe, field);
                long offset = (long) type.getMethod("staticFieldOffset", Field.class).invoke(unsafe, field);
                type.getMethod("putObject", Object.class, long.class, Object.class).invoke(unsafe, base, offset, null);
                yield "wrote null at offset " + offset;
            }
            case "unsafe-write" -> {
                Field field = field(className, fieldName);
                Class<?> type = Class.forName("jdk.internal.misc.Unsafe");
                Object unsafe = type.getMethod("getUnsafe").invoke(null);
                Object base = type.getMethod("staticFieldBase", Field.class).invoke(unsafe, field);
                long offset = (long) type.getMethod("staticFieldOffset", Field.class).invoke(unsafe, field);
                type.getMethod("putReferenceVolatile", Object.class, long.class, Object.class)
                        .invoke(unsafe, base, offset, null);
                yield "wrote null at offset " + offset + " with the JDK's internal Unsafe";
            }
            case "facade-call" -> {
                Class<?> facade = Class.forName(FACADE);
                StringBuilder done = new StringBuilder();
                for (String call : new String[] {"judgeOutsideRequests", "install", "installAbandoned",
                        "requestExit"}) {
                    try {
                        switch (call) {
                            case "judgeOutsideRequests" -> facade.getMethod(call, boolean.class).invoke(null, false);
                            case "install" -> {
                                Method install = null;
                                for (Method m : facade.getMethods()) {
                                    if (m.getName().equals(call)) {
                                        install = m;
                                    }
                                }
                                install.invoke(null, new Object[] {null});
                            }
                            case "installAbandoned" -> facade.getMethod(call).invoke(null);
                            default -> facade.getMethod(call, Object.class, Throwable.class)
                                    .invoke(null, new Object(), null);
                        }
                        done.append(call).append(" returned; ");
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        done.append(call).append(" threw ").append(e.getCause().getClass().getSimpleName())
                                .append("; ");
                    }
                }
                yield done.toString();
            }
            case "system-properties" -> {
                for (String name : new String[] {"dev.hostguard.mode", "hostguard.mode", "dev.hostguard.policy",
                        "hostguard.policy", "dev.hostguard.debug.startup"}) {
                    System.setProperty(name, name.endsWith("startup") ? "true" : "off");
                }
                yield "set dev.hostguard.* and hostguard.* properties";
            }
            case "jmx" -> {
                MBeanServer server = ManagementFactory.getPlatformMBeanServer();
                Set<ObjectName> own = server.queryNames(new ObjectName("dev.hostguard*:*"), null);
                if (own.isEmpty()) {
                    throw new IllegalStateException("no HostGuard MBeans (the agent runs without metrics=jmx)");
                }
                List<String> refused = new ArrayList<>();
                List<String> done = new ArrayList<>();
                for (ObjectName name : own) {
                    try {
                        server.setAttribute(name, new Attribute("HookFailures", 0L));
                        done.add(name + " setAttribute");
                    } catch (JMException | RuntimeException e) {
                        refused.add(name + " setAttribute: " + e.getClass().getSimpleName());
                    }
                    try {
                        server.invoke(name, "reset", new Object[0], new String[0]);
                        done.add(name + " invoke");
                    } catch (JMException | RuntimeException e) {
                        refused.add(name + " invoke: " + e.getClass().getSimpleName());
                    }
                }
                ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                        .setVMOption("HeapDumpOnOutOfMemoryError", "true");
                if (!done.isEmpty()) {
                    yield "MBean writes went through: " + done;
                }
                throw new IllegalStateException("every write to HostGuard's MBeans refused: " + refused);
            }
            case "forged-entry" -> {
                // a request of our own making entered by hand, and never left: the facade's method is public
                Object token = Class.forName(FACADE).getMethod("requestEnter", Object.class, Object.class)
                        .invoke(null, new Object(), null);
                yield "entered a request of our own making" + (token == null ? "" : " (a token back)");
            }
            case "own-reflection" -> {
                Field secret = Own.class.getDeclaredField("secret");
                secret.setAccessible(true);
                Own own = new Own();
                secret.set(own, "changed");
                yield "own field " + own.secret;
            }
            default -> throw new IllegalArgumentException("unknown family '" + family + "'");
        };
    }

    /** A field of a class, looked up in the system class loader (the agent's) if the caller's does not know it. */
    private static Field field(String className, String fieldName) throws ReflectiveOperationException {
        Class<?> type;
        try {
            type = Class.forName(className);
        } catch (ClassNotFoundException e) {
            type = Class.forName(className, false, ClassLoader.getSystemClassLoader());
        }
        return type.getDeclaredField(fieldName);
    }

    /** What switches a field off: {@code false}, 0, or {@code null}. */
    private static Object off(Field field) {
        Class<?> type = field.getType();
        return type == boolean.class ? Boolean.FALSE : type == int.class ? 0 : type == long.class ? 0L : null;
    }

    private static final class Own {
        private String secret = "original";
    }
}
