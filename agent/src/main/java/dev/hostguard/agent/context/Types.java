package dev.hostguard.agent.context;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/** Super types by name and reflective calls, for the server APIs the agent cannot link against. */
final class Types {
    private Types() {
    }

    /** @return the class or interface named {@code name} among {@code type}'s super types, or {@code null} */
    static Class<?> findSuperType(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(name)) {
                return c;
            }
            for (Class<?> i : c.getInterfaces()) {
                Class<?> found = findSuperType(i, name);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** Calls {@code method}; what it throws, or a refused access, becomes an {@code IllegalStateException}. */
    static Object call(Method method, Object target, Object... args) {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(method.getName() + " failed", e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(method.getName() + " is not accessible", e);
        }
    }
}
