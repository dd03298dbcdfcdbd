package dev.hostguard.agent.instrument;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.description.annotation.AnnotationList;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.method.ParameterDescription;
import net.bytebuddy.description.method.ParameterList;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import net.bytebuddy.pool.TypePool;

/**
 * Methods as a class file declares them (access flags, name, descriptor), as Byte Buddy descriptions
 * ({@link MethodDescription.Latent}) whose types are named through a lazy {@link TypePool}, never read. What a hook
 * site's matcher and Byte Buddy's {@code Advice} ask of a method is all there; a {@code TypePool} description of
 * the class would parse every member, signature and annotation of it first, for the one or two methods hooked
 * (ARCHITECTURE.md, "Start-up").
 */
final class ClassFileMethods {
    /** The access flags a class file gives a method; ASM adds pseudo flags above them. */
    private static final int CLASS_FILE_FLAGS = 0xFFFF;

    private ClassFileMethods() {
    }

    /** One method of {@code type}, as {@code ClassVisitor.visitMethod} sees it. */
    static MethodDescription.InDefinedShape describe(TypeDescription type, TypePool names, int access, String name,
                                                     String descriptor) {
        Type[] arguments = Type.getArgumentTypes(descriptor);
        List<ParameterDescription.Token> parameters = new ArrayList<>(arguments.length);
        for (Type argument : arguments) {
            parameters.add(new ParameterDescription.Token(named(argument, names)));
        }
        return new Method(type, name, access & CLASS_FILE_FLAGS, named(Type.getReturnType(descriptor), names),
                parameters, arguments);
    }

    /** The methods a class file declares under a name one of {@code sites} names, described as by {@link #describe}. */
    static List<MethodDescription.InDefinedShape> declared(String typeName, byte[] classFile, TypePool names,
                                                           List<HookSite> sites) {
        TypeDescription type = names.describe(typeName).resolve();
        List<MethodDescription.InDefinedShape> methods = new ArrayList<>();
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                for (HookSite site : sites) {
                    if (site.method().equals(name)) {
                        methods.add(describe(type, names, access, name, descriptor));
                        break;
                    }
                }
                return null;
            }
        }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return methods;
    }

    /** A type by name, without reading its class file; arrays in the descriptor form a pool resolves. */
    private static TypeDescription.Generic named(Type type, TypePool names) {
        String name = type.getSort() == Type.ARRAY ? type.getDescriptor().replace('/', '.') : type.getClassName();
        return names.describe(name).resolve().asGenericType();
    }

    /**
     * A method described once, its parameters and stack size computed once. Byte Buddy's {@code Latent} makes its
     * parameter list and each parameter's type anew on every call, and {@code Advice} asks for the method's stack
     * size at each local-variable instruction of the method it advises: some 0.8 MB of garbage at start-up, for the
     * dozen JDK classes woven then.
     */
    private static final class Method extends MethodDescription.Latent {
        private final ParameterList<ParameterDescription.InDefinedShape> parameters;
        private final int stackSize;

        Method(TypeDescription type, String name, int modifiers, TypeDescription.Generic returnType,
               List<ParameterDescription.Token> tokens, Type[] arguments) {
            // no default value, no receiver type: null, the value of Byte Buddy's UNDEFINED constants, which are not
            // named here because reading TypeDescription.Generic's initialises its other constants, proxies all
            super(type, name, modifiers, Collections.emptyList(), returnType, tokens, Collections.emptyList(),
                    Collections.emptyList(), null, null);
            int offset = (modifiers & Opcodes.ACC_STATIC) == 0 ? 1 : 0;
            List<ParameterDescription.InDefinedShape> described = new ArrayList<>(arguments.length);
            for (int i = 0; i < arguments.length; i++) {
                described.add(new Parameter(this, tokens.get(i).getType(), i, offset));
                offset += arguments[i].getSize();
            }
            this.parameters = new ParameterList.Explicit<>(described);
            this.stackSize = offset;
        }

        @Override
        public ParameterList<ParameterDescription.InDefinedShape> getParameters() {
            return parameters;
        }

        @Override
        public int getStackSize() {
            return stackSize;
        }
    }

    /** A parameter of {@link Method}: its type (a plain type, never generic here), index and offset as given. */
    private static final class Parameter extends ParameterDescription.InDefinedShape.AbstractBase {
        /** Not {@code AnnotationList.Empty}: one class more at start-up. */
        private static final AnnotationList NONE = new AnnotationList.Explicit(Collections.emptyList());
        private final MethodDescription.InDefinedShape method;
        private final TypeDescription.Generic type;
        private final int index;
        private final int offset;

        Parameter(MethodDescription.InDefinedShape method, TypeDescription.Generic type, int index, int offset) {
            this.method = method;
            this.type = type;
            this.index = index;
            this.offset = offset;
        }

        @Override
        public TypeDescription.Generic getType() {
            return type;
        }

        @Override
        public MethodDescription.InDefinedShape getDeclaringMethod() {
            return method;
        }

        @Override
        public int getIndex() {
            return index;
        }

        @Override
        public int getOffset() {
            return offset;
        }

        @Override
        public boolean isNamed() {
            return false;
        }

        @Override
        public boolean hasModifiers() {
            return false;
        }

        @Override
        public AnnotationList getDeclaredAnnotations() {
            return NONE;
        }
    }
}
