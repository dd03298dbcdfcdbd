package dev.hostguard.agent.instrument;

import java.io.IOException;
import java.util.List;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.AnnotationNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * One advice class as {@link AdviceWeaver} copies it: its enter and exit methods (bodies and what each parameter
 * stands for), read from the advice's class file in the agent jar, never loaded or reflected on. Checked here, once
 * per advice class, is what lets a body be copied into a class of another loader: static methods with no
 * exception handlers, no {@code invokedynamic} and no reference to the advice class itself.
 */
final class InlineAdvice {
    private static final String ANNOTATIONS = Type.getInternalName(Advice.class);

    final Method enter; // null when the advice has none
    final Method exit;
    final boolean skipOnNonDefault;
    final boolean exitOnThrowable;

    /** What an advice parameter stands for. */
    enum Source { ARGUMENT, THIS, ENTER, RETURN, THROWN, FIELD }

    /** One advice parameter: its source, the argument index or field name, its type and its local slot. */
    record Parameter(Source source, int argument, String field, Type type, int slot, boolean writable) {
    }

    /** An advice method: its code, parameters, the slots its parameters take, and its return type. */
    record Method(MethodNode code, List<Parameter> parameters, int parameterSlots, Type returnType) {
    }

    private InlineAdvice(Method enter, Method exit, boolean skipOnNonDefault, boolean exitOnThrowable) {
        this.enter = enter;
        this.exit = exit;
        this.skipOnNonDefault = skipOnNonDefault;
        this.exitOnThrowable = exitOnThrowable;
    }

    static InlineAdvice of(Class<?> advice) throws IOException {
        ClassNode node = new ClassNode();
        new ClassReader(AgentClassFiles.agent().read(advice)).accept(node, ClassReader.SKIP_FRAMES | ClassReader.SKIP_DEBUG);
        Method enter = null;
        Method exit = null;
        boolean skip = false;
        boolean onThrowable = false;
        for (MethodNode method : node.methods) {
            AnnotationNode onEnter = annotation(method.invisibleAnnotations, "OnMethodEnter");
            AnnotationNode onExit = annotation(method.invisibleAnnotations, "OnMethodExit");
            if (onEnter != null) {
                enter = method(node.name, method, false);
                skip = value(onEnter, "skipOn") != null;
            } else if (onExit != null) {
                exit = method(node.name, method, true);
                onThrowable = value(onExit, "onThrowable") != null;
                if (exit.returnType().getSort() != Type.VOID) {
                    throw new IllegalArgumentException(advice.getName() + ": an exit returns nothing");
                }
            }
        }
        if (enter == null && exit == null) {
            throw new IllegalArgumentException(advice.getName() + " has no advice method");
        }
        return new InlineAdvice(enter, exit, skip, onThrowable);
    }

    private static Method method(String owner, MethodNode method, boolean isExit) {
        if ((method.access & Opcodes.ACC_STATIC) == 0 || !method.tryCatchBlocks.isEmpty()) {
            throw new IllegalArgumentException(owner + "." + method.name + ": advice is static, without try/catch");
        }
        for (AbstractInsnNode insn : method.instructions) {
            if (insn instanceof InvokeDynamicInsnNode || insn instanceof MethodInsnNode call && call.owner.equals(owner)
                    || insn instanceof FieldInsnNode field && field.owner.equals(owner)) {
                throw new IllegalArgumentException(owner + "." + method.name + ": cannot be copied into another class");
            }
        }
        Type[] types = Type.getArgumentTypes(method.desc);
        Parameter[] parameters = new Parameter[types.length];
        int slot = 0;
        for (int i = 0; i < types.length; i++) {
            List<AnnotationNode> annotations = method.invisibleParameterAnnotations == null ? null
                    : method.invisibleParameterAnnotations[i];
            parameters[i] = parameter(owner + "." + method.name, annotations, types[i], slot, isExit);
            slot += types[i].getSize();
        }
        for (AbstractInsnNode insn : method.instructions) {
            int stored = insn instanceof IincInsnNode iinc ? iinc.var : insn instanceof VarInsnNode store
                    && store.getOpcode() >= Opcodes.ISTORE && store.getOpcode() <= Opcodes.ASTORE ? store.var : -1;
            for (Parameter parameter : parameters) {
                if (parameter.slot() == stored && !parameter.writable()) {
                    throw new IllegalArgumentException(owner + "." + method.name + " assigns a read-only parameter");
                }
            }
        }
        return new Method(method, List.of(parameters), slot, Type.getReturnType(method.desc));
    }

    private static Parameter parameter(String where, List<AnnotationNode> annotations, Type type, int slot,
                                       boolean isExit) {
        AnnotationNode a;
        if ((a = annotation(annotations, "Argument")) != null) {
            return new Parameter(Source.ARGUMENT, (Integer) value(a, "value"), null, type, slot, writable(a));
        }
        if (annotation(annotations, "This") != null) {
            return new Parameter(Source.THIS, -1, null, type, slot, false);
        }
        if ((a = annotation(annotations, "FieldValue")) != null) {
            return new Parameter(Source.FIELD, -1, (String) value(a, "value"), type, slot, false);
        }
        if (isExit && annotation(annotations, "Enter") != null) {
            return new Parameter(Source.ENTER, -1, null, type, slot, false);
        }
        if (isExit && (a = annotation(annotations, "Return")) != null) {
            return new Parameter(Source.RETURN, -1, null, type, slot, writable(a));
        }
        if (isExit && (a = annotation(annotations, "Thrown")) != null) {
            return new Parameter(Source.THROWN, -1, null, type, slot, writable(a));
        }
        throw new IllegalArgumentException(where + ": parameter " + slot + " has no advice annotation it may have");
    }

    private static boolean writable(AnnotationNode annotation) {
        return Boolean.FALSE.equals(value(annotation, "readOnly"));
    }

    private static AnnotationNode annotation(List<AnnotationNode> annotations, String simpleName) {
        if (annotations != null) {
            String descriptor = "L" + ANNOTATIONS + "$" + simpleName + ";";
            for (AnnotationNode annotation : annotations) {
                if (annotation.desc.equals(descriptor)) {
                    return annotation;
                }
            }
        }
        return null;
    }

    private static Object value(AnnotationNode annotation, String name) {
        if (annotation.values != null) {
            for (int i = 0; i < annotation.values.size(); i += 2) {
                if (annotation.values.get(i).equals(name)) {
                    return annotation.values.get(i + 1);
                }
            }
        }
        return null;
    }
}
