package dev.hostguard.agent.context;

/** Finds super types by name, for APIs the agent cannot link against. */
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
}
