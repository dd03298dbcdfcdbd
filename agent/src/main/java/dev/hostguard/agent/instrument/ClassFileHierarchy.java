package dev.hostguard.agent.instrument;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * Super classes for ASM's frame computation, read from class files through the woven class's loader: ASM's own
 * {@link ClassWriter#getCommonSuperClass} would load the classes, which a transformer must not do (a class loaded
 * from inside its own loading, or loaded for us alone). A type whose class file cannot be read fails the weaving
 * (the class then loads unhooked), since a guess could make the woven class fail verification.
 */
final class ClassFileHierarchy {
    private static final String OBJECT = "java/lang/Object";

    private final ClassLoader loader;
    private final String ownName;
    private final String ownSuper;
    private final Map<String, ClassReader> headers = new HashMap<>();

    ClassFileHierarchy(ClassLoader loader, ClassReader own) {
        this.loader = loader == null ? ClassLoader.getSystemClassLoader() : loader;
        this.ownName = own.getClassName();
        this.ownSuper = own.getSuperName();
        headers.put(ownName, own);
    }

    /** The nearest common super class; {@code java/lang/Object} when either is an interface, as for the verifier. */
    String commonSuperClass(String type1, String type2) {
        if (isInterface(type1) || isInterface(type2)) {
            return OBJECT;
        }
        Set<String> supers = new HashSet<>();
        for (String type = type1; type != null; type = superName(type)) {
            supers.add(type);
        }
        for (String type = type2; type != null; type = superName(type)) {
            if (supers.contains(type)) {
                return type;
            }
        }
        return OBJECT;
    }

    private boolean isInterface(String type) {
        return (header(type).getAccess() & Opcodes.ACC_INTERFACE) != 0;
    }

    private String superName(String type) {
        return type.equals(ownName) ? ownSuper : header(type).getSuperName();
    }

    private ClassReader header(String type) {
        ClassReader header = headers.get(type);
        if (header == null) {
            try (InputStream in = loader.getResourceAsStream(type + ".class")) {
                if (in == null) {
                    throw new TypeNotPresentException(type.replace('/', '.'), null);
                }
                header = new ClassReader(in);
            } catch (IOException e) {
                throw new TypeNotPresentException(type.replace('/', '.'), e);
            }
            headers.put(type, header);
        }
        return header;
    }

    /** A class writer computing frames with this hierarchy. */
    static final class Writer extends ClassWriter {
        private final ClassFileHierarchy hierarchy;

        Writer(ClassReader reader, ClassLoader loader) {
            super(reader, ClassWriter.COMPUTE_FRAMES);
            hierarchy = new ClassFileHierarchy(loader, reader);
        }

        @Override
        protected String getCommonSuperClass(String type1, String type2) {
            return hierarchy.commonSuperClass(type1, type2);
        }
    }
}
