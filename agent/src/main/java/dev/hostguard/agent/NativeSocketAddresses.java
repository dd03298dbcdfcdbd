package dev.hostguard.agent;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The path of a Unix-domain socket address of a library with its own native sockets, read by reflection (the agent
 * links against none of them), the accessor resolved once per address class: junixsocket's
 * {@code AFUNIXSocketAddress.getPath()}, jnr-unixsocket's and Netty's {@code path()}. A file-system path only: an
 * address without one (junixsocket's abstract namespace, whose path starts with a NUL or {@code @}; another address
 * family) gives {@code null} and is not judged.
 */
final class NativeSocketAddresses {
    /** What an address class has no path accessor as: the key's value. */
    private static final MethodHandle NONE = MethodHandles.constant(Object.class, null);
    private static final ClassValue<MethodHandle> ACCESSORS = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            for (String name : new String[] {"getPath", "path"}) {
                try {
                    Method method = type.getMethod(name);
                    if (method.getReturnType() == String.class && Modifier.isPublic(method.getModifiers())
                            && Modifier.isPublic(method.getDeclaringClass().getModifiers())) {
                        return MethodHandles.publicLookup().unreflect(method)
                                .asType(MethodType.methodType(Object.class, Object.class));
                    }
                } catch (NoSuchMethodException | IllegalAccessException | RuntimeException e) {
                    // try the next name
                }
            }
            return NONE;
        }
    };

    private NativeSocketAddresses() {
    }

    /** @return the socket file's path; {@code null} when {@code address} has none */
    static String path(Object address) {
        MethodHandle accessor = ACCESSORS.get(address.getClass());
        if (accessor == NONE) {
            return null;
        }
        try {
            Object path = accessor.invoke(address);
            return path instanceof String p && p.startsWith("/") ? p : relative(path);
        } catch (Throwable e) {
            return null;
        }
    }

    /** A relative path (resolved against the working directory by the guard); not an abstract-namespace name. */
    private static String relative(Object path) {
        return path instanceof String p && !p.isEmpty() && p.charAt(0) != '\0' && p.charAt(0) != '@' ? p : null;
    }
}
