package dev.hostguard.agent.instrument;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Puts the advice of hook sites into one class file with ASM, as Byte Buddy's {@code Advice} would: the body of
 * each advice class's enter method is copied to the start of the hooked method, the body of its exit method to
 * every return (and, with {@code onThrowable}, to a catch-all handler that rethrows the exception, or the one the
 * exit put in its place), with the advice's parameters turned into the hooked method's arguments, {@code this},
 * a field read, or new locals for the enter's result, the return value and the exception. The advice classes
 * ({@link InlineAdvice}) stay the one description of what a hook does; their bodies are one or two calls into the
 * boot loader's {@code Hooks}. Stack map frames are computed by ASM for the hooked methods only (unchanged methods
 * are copied as they are), with super classes read from class files, never loaded ({@link ClassFileHierarchy}).
 * No member is added, so the result is a valid retransformation.
 */
final class AdviceWeaver {
    private final Map<Class<?>, InlineAdvice> advice = new ConcurrentHashMap<>();

    /** One site put on one method. */
    record Hooked(HookSite site, String method) {
    }

    /**
     * @param typeName the class's binary name
     * @param classFile the woven class file; {@code null} when nothing was hooked
     */
    record Result(String typeName, byte[] classFile, List<Hooked> hooked) {
    }

    /**
     * @param typeName the class's binary name
     * @return the new class file and what was hooked; {@code null} bytes when no site matched a method
     */
    Result weave(String typeName, ClassLoader loader, byte[] classFile, List<HookSite> sites) throws IOException {
        List<InlineAdvice> advices = new ArrayList<>(sites.size());
        for (HookSite site : sites) {
            advices.add(advice(site.advice()));
        }
        ClassReader reader = new ClassReader(classFile);
        ClassWriter writer = new ClassFileHierarchy.Writer(reader, loader);
        List<Hooked> hooked = new ArrayList<>();
        reader.accept(new Weaving(writer, typeName, sites, advices, hooked), ClassReader.SKIP_FRAMES);
        return new Result(typeName, hooked.isEmpty() ? null : writer.toByteArray(), List.copyOf(hooked));
    }

    private InlineAdvice advice(Class<?> type) throws IOException {
        InlineAdvice known = advice.get(type);
        if (known == null) {
            known = InlineAdvice.of(type);
            advice.put(type, known);
        }
        return known;
    }

    /** The methods of a class file a shape matches ({@code name + descriptor}), read without loading anything. */
    static List<String> matching(byte[] classFile, MethodShape shape) {
        List<String> found = new ArrayList<>(1);
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                if (shape.matches(access, name, descriptor)) {
                    found.add(name + descriptor);
                }
                return null;
            }
        }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return found;
    }

    /** Copies the class, weaving the methods some site matches. */
    private static final class Weaving extends ClassVisitor {
        private final String typeName;
        private final List<HookSite> sites;
        private final List<InlineAdvice> advices;
        private final List<Hooked> hooked;
        private final Map<String, String> fields = new HashMap<>(); // the class reader visits fields first
        private String owner;

        Weaving(ClassVisitor writer, String typeName, List<HookSite> sites, List<InlineAdvice> advices,
                List<Hooked> hooked) {
            super(Opcodes.ASM9, writer);
            this.typeName = typeName;
            this.sites = sites;
            this.advices = advices;
            this.hooked = hooked;
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName,
                          String[] interfaces) {
            owner = name;
            super.visit(version, access, name, signature, superName, interfaces);
        }

        @Override
        public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
            fields.put(name, descriptor);
            return super.visitField(access, name, descriptor, signature, value);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                         String[] exceptions) {
            MethodVisitor target = super.visitMethod(access, name, descriptor, signature, exceptions);
            if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
                return target;
            }
            List<InlineAdvice> matched = null;
            for (int i = 0; i < sites.size(); i++) {
                if (sites.get(i).methods().matches(access, name, descriptor)) {
                    matched = matched == null ? new ArrayList<>(1) : matched;
                    matched.add(advices.get(i));
                    hooked.add(new Hooked(sites.get(i), typeName + "." + name));
                }
            }
            if (matched == null) {
                return target;
            }
            List<InlineAdvice> toWeave = matched;
            return new MethodNode(Opcodes.ASM9, access, name, descriptor, signature, exceptions) {
                @Override
                public void visitEnd() {
                    for (InlineAdvice advice : toWeave) {
                        new MethodWeaving(owner, this, fields).weave(advice);
                    }
                    accept(target);
                }
            };
        }
    }

    /** One advice put on one method (a tree of its instructions). */
    private static final class MethodWeaving {
        private final String owner;
        private final MethodNode method;
        private final Map<String, String> fields;
        private final boolean isStatic;
        private final int[] argumentSlots;
        private final Type returnType;
        private int nextLocal;
        private int enterLocal; // of the advice being woven; -1 when its enter returns nothing

        MethodWeaving(String owner, MethodNode method, Map<String, String> fields) {
            this.owner = owner;
            this.method = method;
            this.fields = fields;
            this.isStatic = (method.access & Opcodes.ACC_STATIC) != 0;
            Type[] arguments = Type.getArgumentTypes(method.desc);
            argumentSlots = new int[arguments.length];
            int slot = isStatic ? 0 : 1;
            for (int i = 0; i < arguments.length; i++) {
                argumentSlots[i] = slot;
                slot += arguments[i].getSize();
            }
            returnType = Type.getReturnType(method.desc);
            nextLocal = Math.max(method.maxLocals, slot);
        }

        void weave(InlineAdvice advice) {
            boolean hasReturn = returnType.getSort() != Type.VOID;
            InlineAdvice.Method enter = advice.enter;
            InlineAdvice.Method exit = advice.exit;
            enterLocal = enter != null && enter.returnType().getSort() != Type.VOID ? local(enter.returnType()) : -1;
            int returnLocal = exit != null && hasReturn ? local(returnType) : -1;
            int thrownLocal = exit != null && advice.exitOnThrowable ? local(Type.getType(Throwable.class)) : -1;
            if (exit != null && method.name.equals("<init>")) {
                throw new IllegalArgumentException("exit advice on a constructor: " + owner);
            }
            LabelNode exitLabel = new LabelNode();
            InsnList prologue = new InsnList();
            if (enter != null) {
                copy(enter, enterLocal, -1, -1, prologue);
                if (advice.skipOnNonDefault) {
                    Type skip = enter.returnType();
                    if (enterLocal < 0 || skip.getSize() != 1 || skip.getSort() == Type.FLOAT) {
                        throw new IllegalArgumentException("skipOn: the enter returns an int or a reference");
                    }
                    LabelNode proceed = new LabelNode();
                    prologue.add(new VarInsnNode(enter.returnType().getOpcode(Opcodes.ILOAD), enterLocal));
                    prologue.add(new JumpInsnNode(isReference(enter.returnType()) ? Opcodes.IFNULL : Opcodes.IFEQ,
                            proceed));
                    if (exit == null) {
                        prologue.add(defaultValue(returnType));
                        prologue.add(new InsnNode(returnType.getOpcode(Opcodes.IRETURN)));
                    } else {
                        leaveBody(prologue, returnLocal, thrownLocal, exitLabel, true);
                    }
                    prologue.add(proceed);
                }
            }
            if (exit == null) {
                method.instructions.insert(prologue);
                method.maxLocals = nextLocal;
                return;
            }
            for (AbstractInsnNode insn : method.instructions.toArray()) {
                int opcode = insn.getOpcode();
                if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
                    InsnList leave = new InsnList();
                    leaveBody(leave, returnLocal, thrownLocal, exitLabel, false);
                    method.instructions.insert(insn, leave);
                    method.instructions.remove(insn);
                }
            }
            LabelNode bodyStart = new LabelNode();
            LabelNode bodyEnd = new LabelNode();
            prologue.add(bodyStart);
            method.instructions.insert(prologue);
            method.instructions.add(bodyEnd);
            if (thrownLocal >= 0) {
                LabelNode handler = new LabelNode();
                method.instructions.add(handler);
                method.instructions.add(new VarInsnNode(Opcodes.ASTORE, thrownLocal));
                if (hasReturn) {
                    method.instructions.add(defaultValue(returnType));
                    method.instructions.add(new VarInsnNode(returnType.getOpcode(Opcodes.ISTORE), returnLocal));
                }
                // last in the table: the outermost handler, behind every handler of the method's own
                method.tryCatchBlocks.add(new TryCatchBlockNode(bodyStart, bodyEnd, handler, "java/lang/Throwable"));
            }
            method.instructions.add(exitLabel);
            copy(exit, -1, returnLocal, thrownLocal, method.instructions);
            if (thrownLocal >= 0) {
                LabelNode noException = new LabelNode();
                method.instructions.add(new VarInsnNode(Opcodes.ALOAD, thrownLocal));
                method.instructions.add(new JumpInsnNode(Opcodes.IFNULL, noException));
                method.instructions.add(new VarInsnNode(Opcodes.ALOAD, thrownLocal));
                method.instructions.add(new InsnNode(Opcodes.ATHROW));
                method.instructions.add(noException);
            }
            if (hasReturn) {
                method.instructions.add(new VarInsnNode(returnType.getOpcode(Opcodes.ILOAD), returnLocal));
            }
            method.instructions.add(new InsnNode(returnType.getOpcode(Opcodes.IRETURN)));
            method.maxLocals = nextLocal;
        }

        /** A return of the body (its value on the stack), or a skipped body: to the exit, without exception. */
        private void leaveBody(InsnList out, int returnLocal, int thrownLocal, LabelNode exitLabel, boolean skipped) {
            if (returnLocal >= 0) {
                if (skipped) {
                    out.add(defaultValue(returnType));
                }
                out.add(new VarInsnNode(returnType.getOpcode(Opcodes.ISTORE), returnLocal));
            }
            if (thrownLocal >= 0) {
                out.add(new InsnNode(Opcodes.ACONST_NULL));
                out.add(new VarInsnNode(Opcodes.ASTORE, thrownLocal));
            }
            out.add(new JumpInsnNode(Opcodes.GOTO, exitLabel));
        }

        /**
         * Appends a copy of an advice method's body: its parameters become the locals of their sources, its own
         * locals new ones, and a return jumps to the end (storing the value returned in {@code resultLocal}).
         */
        private void copy(InlineAdvice.Method advice, int resultLocal, int returnLocal, int thrownLocal,
                          InsnList out) {
            int[] slots = new int[Math.max(advice.code().maxLocals, advice.parameterSlots())];
            for (InlineAdvice.Parameter parameter : advice.parameters()) {
                slots[parameter.slot()] = sourceSlot(parameter, returnLocal, thrownLocal, out);
            }
            for (int slot = advice.parameterSlots(); slot < slots.length; slot++) {
                slots[slot] = nextLocal++;
            }
            Map<LabelNode, LabelNode> labels = new HashMap<>();
            // walked by links, not by the list's iterator, which fills a cache: the advice is shared by threads
            for (AbstractInsnNode insn = advice.code().instructions.getFirst(); insn != null; insn = insn.getNext()) {
                if (insn instanceof LabelNode label) {
                    labels.put(label, new LabelNode());
                }
            }
            LabelNode end = new LabelNode();
            for (AbstractInsnNode insn = advice.code().instructions.getFirst(); insn != null; insn = insn.getNext()) {
                int opcode = insn.getOpcode();
                if (insn instanceof FrameNode || insn instanceof LineNumberNode) {
                    continue;
                } else if (insn instanceof VarInsnNode variable) {
                    out.add(new VarInsnNode(opcode, slots[variable.var]));
                } else if (insn instanceof IincInsnNode increment) {
                    out.add(new IincInsnNode(slots[increment.var], increment.incr));
                } else if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.ARETURN) {
                    out.add(new VarInsnNode(advice.returnType().getOpcode(Opcodes.ISTORE), resultLocal));
                    out.add(new JumpInsnNode(Opcodes.GOTO, end));
                } else if (opcode == Opcodes.RETURN) {
                    out.add(new JumpInsnNode(Opcodes.GOTO, end));
                } else {
                    out.add(insn.clone(labels));
                }
            }
            out.add(end);
        }

        /** The local a parameter reads and writes; a field is read into a new local first. */
        private int sourceSlot(InlineAdvice.Parameter parameter, int returnLocal, int thrownLocal, InsnList out) {
            switch (parameter.source()) {
                case ARGUMENT:
                    if (parameter.argument() >= argumentSlots.length) {
                        throw new IllegalArgumentException(owner + "." + method.name + " has no argument "
                                + parameter.argument());
                    }
                    return argumentSlots[parameter.argument()];
                case THIS:
                    requireInstance();
                    return 0;
                case FIELD:
                    requireInstance();
                    String descriptor = fields.get(parameter.field());
                    if (descriptor == null) {
                        throw new IllegalArgumentException(owner + " has no field " + parameter.field());
                    }
                    int local = local(Type.getType(descriptor));
                    out.add(new VarInsnNode(Opcodes.ALOAD, 0));
                    out.add(new FieldInsnNode(Opcodes.GETFIELD, owner, parameter.field(), descriptor));
                    out.add(new VarInsnNode(Type.getType(descriptor).getOpcode(Opcodes.ISTORE), local));
                    return local;
                case ENTER:
                    return require(enterLocal, "@Enter without an enter value");
                case RETURN:
                    return require(returnLocal, "@Return on a method returning nothing");
                case THROWN:
                    return require(thrownLocal, "@Thrown without onThrowable");
                default:
                    throw new IllegalStateException(parameter.source().toString());
            }
        }

        private void requireInstance() {
            if (isStatic) {
                throw new IllegalArgumentException(owner + "." + method.name + " is static");
            }
        }

        private int require(int local, String problem) {
            if (local < 0) {
                throw new IllegalArgumentException(owner + "." + method.name + ": " + problem);
            }
            return local;
        }

        private int local(Type type) {
            int local = nextLocal;
            nextLocal += type.getSize();
            return local;
        }

        private static boolean isReference(Type type) {
            return type.getSort() == Type.OBJECT || type.getSort() == Type.ARRAY;
        }

        private static AbstractInsnNode defaultValue(Type type) {
            switch (type.getSort()) {
                case Type.OBJECT:
                case Type.ARRAY:
                    return new InsnNode(Opcodes.ACONST_NULL);
                case Type.LONG:
                    return new InsnNode(Opcodes.LCONST_0);
                case Type.FLOAT:
                    return new InsnNode(Opcodes.FCONST_0);
                case Type.DOUBLE:
                    return new InsnNode(Opcodes.DCONST_0);
                case Type.VOID:
                    return new InsnNode(Opcodes.NOP);
                default:
                    return new InsnNode(Opcodes.ICONST_0);
            }
        }
    }
}
