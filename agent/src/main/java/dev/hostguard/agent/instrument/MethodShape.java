package dev.hostguard.agent.instrument;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import java.util.Arrays;

/**
 * Which methods of a class a hook site is for, told from what a class file says of a method: its access flags,
 * name and descriptor. Immutable; each refinement returns a new shape.
 */
final class MethodShape {
    private static final int ANY = -1;

    private final String name;
    private final int arguments; // ANY, or the exact count
    private final String[][] argumentTypes; // per index: descriptors it may have; null for any
    private final int required; // access flags the method must have
    private final int forbidden; // access flags it must not have

    private MethodShape(String name, int arguments, String[][] argumentTypes, int required, int forbidden) {
        this.name = name;
        this.arguments = arguments;
        this.argumentTypes = argumentTypes;
        this.required = required;
        this.forbidden = forbidden;
    }

    static MethodShape named(String name) {
        return new MethodShape(name, ANY, new String[0][], 0, 0);
    }

    static MethodShape constructor() {
        return named("<init>");
    }

    /** Exactly these argument types (classes, or binary names such as {@code sun.nio.fs.UnixPath}). */
    MethodShape takes(Object... types) {
        MethodShape shape = arguments(types.length);
        for (int i = 0; i < types.length; i++) {
            shape = shape.argument(i, types[i]);
        }
        return shape;
    }

    MethodShape arguments(int count) {
        return new MethodShape(name, count, argumentTypes, required, forbidden);
    }

    /** Argument {@code index} is one of {@code types} (classes, or binary names). */
    MethodShape argument(int index, Object... types) {
        String[][] all = Arrays.copyOf(argumentTypes, Math.max(argumentTypes.length, index + 1));
        String[] descriptors = new String[types.length];
        for (int i = 0; i < types.length; i++) {
            descriptors[i] = types[i] instanceof Class<?> type ? Type.getDescriptor(type)
                    : "L" + ((String) types[i]).replace('.', '/') + ";";
        }
        all[index] = descriptors;
        return new MethodShape(name, arguments, all, required, forbidden);
    }

    MethodShape isStatic() {
        return new MethodShape(name, arguments, argumentTypes, required | Opcodes.ACC_STATIC, forbidden);
    }

    MethodShape isPrivate() {
        return new MethodShape(name, arguments, argumentTypes, required | Opcodes.ACC_PRIVATE, forbidden);
    }

    MethodShape notAbstract() {
        return new MethodShape(name, arguments, argumentTypes, required, forbidden | Opcodes.ACC_ABSTRACT);
    }

    MethodShape notBridge() {
        return new MethodShape(name, arguments, argumentTypes, required, forbidden | Opcodes.ACC_BRIDGE);
    }

    boolean matches(int access, String methodName, String descriptor) {
        if (!name.equals(methodName) || (access & required) != required || (access & forbidden) != 0) {
            return false;
        }
        Type[] types = Type.getArgumentTypes(descriptor);
        if (arguments != ANY && types.length != arguments) {
            return false;
        }
        for (int i = 0; i < argumentTypes.length; i++) {
            if (argumentTypes[i] != null && (i >= types.length || !oneOf(types[i].getDescriptor(), argumentTypes[i]))) {
                return false;
            }
        }
        return true;
    }

    private static boolean oneOf(String descriptor, String[] descriptors) {
        for (String candidate : descriptors) {
            if (candidate.equals(descriptor)) {
                return true;
            }
        }
        return false;
    }
}
