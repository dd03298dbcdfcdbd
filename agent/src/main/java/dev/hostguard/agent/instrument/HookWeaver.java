package dev.hostguard.agent.instrument;

import dev.hostguard.agent.AgentClassFiles;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.bytebuddy.ClassFileVersion;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.pool.TypePool;

/**
 * Puts the hook sites' advice on one class file with Byte Buddy's {@link Advice}, applied as Byte Buddy's
 * {@code AsmVisitorWrapper} does, on a plain ASM read and write of the bytes the JVM handed over. Nothing is loaded
 * to be described: the advice classes are described from the agent's class files by a {@link TypePool}; of the
 * class woven, only the methods a site names are described, from their entry in the class file
 * ({@link ClassFileMethods}), with the types they name resolved through a lazy {@code TypePool} over the class's
 * own bytes and its loader's class files, read only when {@code Advice} needs more than a name (a field's type).
 * All other methods are copied as they are. No member is added, so the result is a valid retransformation. Not
 * thread-safe: the transformer weaves one class at a time.
 */
final class HookWeaver {
    /** Byte Buddy's {@code Advice} needs neither frames nor sizes computed by ASM: it keeps and extends them. */
    private static final int NO_FLAGS = 0;

    /** The advice classes' files, from the agent's own code source (the system loader's for the types they name). */
    private final ClassFileLocator adviceFiles = new ClassFileLocator.Compound(new AgentClassFileLocator(),
            ClassFileLocator.ForClassLoader.ofSystemLoader());
    /**
     * The advice classes, described from their class files: described by reflection, the JDK would parse their
     * annotations into proxy classes, one per annotation type, for nothing.
     */
    private final TypePool advicePool = lazyPool(adviceFiles);
    private final Map<String, Advice> advice = new HashMap<>();

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
     * @param loader its class loader, {@code null} for the boot loader
     * @return the new class file and what was hooked; {@code null} bytes when no site matched a method
     */
    Result weave(String typeName, ClassLoader loader, byte[] classFile, List<HookSite> sites) {
        TypePool pool = lazyPool(new ClassFileLocator.Compound(ClassFileLocator.Simple.of(typeName, classFile),
                loaderFiles(loader)));
        ClassReader reader = new ClassReader(classFile);
        ClassWriter writer = new ClassWriter(reader, NO_FLAGS);
        Weaving weaving = new Weaving(writer, pool.describe(typeName).resolve(), pool, sites,
                ClassFileVersion.ofClassFile(classFile));
        reader.accept(weaving, NO_FLAGS);
        return new Result(typeName, weaving.hooked.isEmpty() ? null : writer.toByteArray(),
                List.copyOf(weaving.hooked));
    }

    /** Of the methods a class file declares, those a site is for, as {@code name + descriptor}. */
    static List<String> methodsMatching(List<MethodDescription.InDefinedShape> declared, HookSite site) {
        List<String> found = new ArrayList<>(1);
        for (MethodDescription.InDefinedShape method : declared) {
            if (site.matches(method)) {
                found.add(method.getInternalName() + method.getDescriptor());
            }
        }
        return found;
    }

    /**
     * Types named through the class files of {@code loader} (the system loader, which finds the JDK's too, for
     * {@code null}), each read only when more than its name is asked for; never loaded.
     */
    static TypePool classFiles(ClassLoader loader) {
        return lazyPool(loaderFiles(loader));
    }

    private static ClassFileLocator loaderFiles(ClassLoader loader) {
        return loader == null ? ClassFileLocator.ForClassLoader.ofSystemLoader()
                : ClassFileLocator.ForClassLoader.of(loader);
    }

    /** A pool that reads a class file only when more than a type's name is asked for. */
    private static TypePool lazyPool(ClassFileLocator files) {
        return new TypePool.Default.WithLazyResolution(new TypePool.CacheProvider.Simple(), files,
                TypePool.Default.ReaderMode.FAST);
    }

    private Advice advice(String type) {
        Advice known = advice.get(type);
        if (known == null) {
            known = Advice.to(advicePool.describe(type).resolve(), adviceFiles);
            advice.put(type, known);
        }
        return known;
    }

    /** Copies one class; a method that a site names is described and, if it has the site's shape, advised. */
    private final class Weaving extends ClassVisitor {
        private final TypeDescription type;
        private final TypePool pool;
        private final List<HookSite> sites;
        private final Implementation.Context context;
        private final List<Hooked> hooked = new ArrayList<>();

        Weaving(ClassVisitor writer, TypeDescription type, TypePool pool, List<HookSite> sites,
                ClassFileVersion version) {
            super(Opcodes.ASM9, writer);
            this.type = type;
            this.pool = pool;
            this.sites = sites;
            this.context = new NoAuxiliaryCode(type, version);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                         String[] exceptions) {
            MethodVisitor visitor = super.visitMethod(access, name, descriptor, signature, exceptions);
            if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
                return visitor; // no code to advise
            }
            MethodDescription method = null;
            for (HookSite site : sites) {
                if (!site.method().equals(name)) {
                    continue;
                }
                if (method == null) {
                    method = ClassFileMethods.describe(type, pool, access, name, descriptor);
                }
                if (site.shape().matches(method)) {
                    visitor = advice(site.advice()).wrap(type, method, visitor, context, pool, NO_FLAGS, NO_FLAGS);
                    hooked.add(new Hooked(site, type.getName() + "." + name));
                }
            }
            return visitor;
        }
    }

    /**
     * Inlined advice needs no auxiliary class, field or accessor, which a retransformation could not add: Byte
     * Buddy's context for that case, with the stack map frames of the original code kept and extended.
     */
    private static final class NoAuxiliaryCode extends Implementation.Context.Disabled {
        NoAuxiliaryCode(TypeDescription type, ClassFileVersion version) {
            super(type, version, Implementation.Context.FrameGeneration.GENERATE);
        }
    }

    /** The agent's own class files, as {@link AgentClassFiles} reads them (one open jar, no {@code jar:} URLs). */
    private static final class AgentClassFileLocator implements ClassFileLocator {
        @Override
        public Resolution locate(String name) throws IOException {
            byte[] classFile = AgentClassFiles.agent().read(name.replace('.', '/') + CLASS_FILE_EXTENSION);
            return classFile == null ? new Resolution.Illegal(name) : new Resolution.Explicit(classFile);
        }

        @Override
        public void close() {
            // the jar stays open for the JVM's life
        }
    }
}
