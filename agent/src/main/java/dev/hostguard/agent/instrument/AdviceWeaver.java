package dev.hostguard.agent.instrument;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.ClassFileVersion;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;

/**
 * Puts the advice of hook sites into one class file: Byte Buddy's {@link Advice} applied with ASM straight to the
 * bytes the JVM handed over, with the class described by a {@link TypePool} over those bytes (and its loader's
 * class files for the types it refers to). Nothing else of Byte Buddy is used (no {@code AgentBuilder}, no
 * {@code ByteBuddy} type builder), which keeps the classes it loads to the advice machinery; they load the first
 * time a hooked class is met. Unchanged methods are copied as they are; no member is added, so the result is a
 * valid retransformation.
 */
final class AdviceWeaver {
    private final Map<Class<?>, Advice> advice = new ConcurrentHashMap<>();
    /**
     * The advice classes, described from their class files: describing them by reflection would have the JDK
     * parse their annotations into proxy classes, one per annotation type, for nothing.
     */
    private final ClassFileLocator adviceLocator = ClassFileLocator.ForClassLoader.of(AdviceWeaver.class.getClassLoader());
    private final TypePool advicePool = TypePool.Default.of(adviceLocator);

    /** One site put on one method. */
    record Hooked(HookSite site, String method) {
    }

    /**
     * @param typeName the class's binary name
     * @return the new class file and what was hooked; {@code null} bytes when no site matched a method
     */
    Result weave(String typeName, ClassLoader loader, byte[] classFile, List<HookSite> sites) {
        ClassFileLocator locator = new ClassFileLocator.Compound(ClassFileLocator.Simple.of(typeName, classFile),
                loader == null ? ClassFileLocator.ForClassLoader.ofBootLoader() : ClassFileLocator.ForClassLoader.of(loader));
        TypePool pool = new TypePool.Default(new TypePool.CacheProvider.Simple(), locator, TypePool.Default.ReaderMode.FAST);
        TypeDescription type = pool.describe(typeName).resolve();
        List<Hooked> hooked = new ArrayList<>();
        List<AsmVisitorWrapper> wrappers = new ArrayList<>();
        for (HookSite site : sites) {
            wrappers.add(advice(site.advice()).on(new Recording(site, type, hooked)));
        }
        AsmVisitorWrapper wrapper = new AsmVisitorWrapper.Compound(wrappers);
        int readerFlags = wrapper.mergeReader(0);
        int writerFlags = wrapper.mergeWriter(0);
        ClassReader reader = new ClassReader(classFile);
        ClassWriter writer = new ClassWriter(reader, writerFlags);
        ClassFileVersion version = ClassFileVersion.ofClassFile(classFile);
        Implementation.Context context = new Implementation.Context.Disabled(type, version,
                Implementation.Context.FrameGeneration.GENERATE) {
        };
        ClassVisitor visitor = wrapper.wrap(type, writer, context, pool, type.getDeclaredFields(),
                type.getDeclaredMethods(), writerFlags, readerFlags);
        reader.accept(visitor, readerFlags);
        return new Result(typeName, hooked.isEmpty() ? null : writer.toByteArray(), List.copyOf(hooked));
    }

    private Advice advice(Class<?> type) {
        Advice known = advice.get(type);
        if (known == null) {
            known = Advice.to(advicePool.describe(type.getName()).resolve(), adviceLocator);
            advice.put(type, known);
        }
        return known;
    }

    /** A site's method matcher that records each method it matches. */
    private record Recording(HookSite site, TypeDescription type, List<Hooked> hooked)
            implements ElementMatcher<MethodDescription> {
        @Override
        public boolean matches(MethodDescription method) {
            boolean matches = site.methods().matches(method);
            if (matches) {
                hooked.add(new Hooked(site, type.getName() + "." + method.getInternalName()));
            }
            return matches;
        }
    }

    /**
     * @param typeName the class's binary name
     * @param classFile the woven class file; {@code null} when nothing was hooked
     */
    record Result(String typeName, byte[] classFile, List<Hooked> hooked) {
    }
}
