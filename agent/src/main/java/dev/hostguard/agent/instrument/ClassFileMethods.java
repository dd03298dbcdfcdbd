package dev.hostguard.agent.instrument;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.method.ParameterDescription;
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
        // no default value, no receiver type: null, the value of Byte Buddy's UNDEFINED constants, which are not
        // named here because reading TypeDescription.Generic's initialises its other constants, proxies all
        return new MethodDescription.Latent(type, name, access & CLASS_FILE_FLAGS, Collections.emptyList(),
                named(Type.getReturnType(descriptor), names), parameters, Collections.emptyList(),
                Collections.emptyList(), null, null);
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
}
