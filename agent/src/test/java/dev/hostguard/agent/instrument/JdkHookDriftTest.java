package dev.hostguard.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.pool.TypePool;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.SimpleVerifier;

/**
 * Every JDK hook finds exactly the method it was written for on the JDK running this test (17 and 25 in CI). A site
 * that is not required exists on some JDKs only; each such one has its twin for the others, and exactly one of the
 * two is found.
 */
class JdkHookDriftTest {

    @Test
    void eachJdkSiteMatchesExactlyOneMethod() throws Exception {
        int checked = 0;
        int optionalFound = 0;
        TypePool jdk = HookWeaver.classFiles(null);
        for (HookTarget hooked : HookInstaller.targets()) {
            if (hooked.jdkType() == null) {
                continue;
            }
            List<MethodDescription.InDefinedShape> declared = ClassFileMethods.declared(hooked.jdkType(),
                    classFile(hooked.jdkType()), jdk, hooked.sites());
            for (HookSite site : hooked.sites()) {
                List<String> found = HookWeaver.methodsMatching(declared, site);
                if (site.required()) {
                    assertEquals(1, found.size(), site.name() + " on " + Runtime.version() + ": " + found);
                    checked++;
                } else {
                    assertTrue(found.size() <= 1, site.name() + " on " + Runtime.version() + ": " + found);
                    optionalFound += found.size();
                }
            }
        }
        assertEquals(97, checked, "every required JDK hook site");
        assertEquals(3, optionalFound, "one of each pair of alternatives: the fork/join pool's submission, externalSubmit "
                + "(JDK 17-18) or poolSubmit (JDK 19+); the direct transfer, transferToDirectlyInternal (JDK 17) or "
                + "transferToFileDescriptor (JDK 25); Perf's attach, attachImpl (JDK 17-24) or attach(int) (JDK 25)");
    }

    /**
     * What the transformer does to each JDK target's class file, without an agent: every site, once, and the woven
     * class file passes ASM's verifier (types, stack and locals of every method Byte Buddy's advice went into).
     */
    @Test
    void weavingEachJdkClassFileHooksEachOfItsSitesOnce() throws Exception {
        HookWeaver weaver = new HookWeaver();
        int optionalHooked = 0;
        for (HookTarget hooked : HookInstaller.targets()) {
            if (hooked.jdkType() == null) {
                continue;
            }
            ClassLoader loader = Class.forName(hooked.jdkType(), false, ClassLoader.getSystemClassLoader())
                    .getClassLoader(); // the boot loader, or the platform loader for jdk.httpserver
            HookWeaver.Result result = weaver.weave(hooked.jdkType(), loader, classFile(hooked.jdkType()),
                    hooked.sites());
            assertNotNull(result.classFile(), hooked.jdkType() + " was not changed");
            verify(result.classFile());
            for (HookSite site : hooked.sites()) {
                List<String> methods = result.hooked().stream().filter(h -> h.site() == site)
                        .map(HookWeaver.Hooked::method).toList();
                if (site.required()) {
                    assertEquals(1, methods.size(), site.name() + " on " + Runtime.version() + ": " + methods);
                } else {
                    assertTrue(methods.size() <= 1, site.name() + " on " + Runtime.version() + ": " + methods);
                    optionalHooked += methods.size();
                }
            }
        }
        assertEquals(3, optionalHooked, "the fork/join pool's submission, the direct transfer and Perf's attach,"
                + " on whichever JDK this is");
    }

    /** Every method of a class file checked by ASM's data-flow verifier, with types resolved by this JVM. */
    static void verify(byte[] classFile) {
        ClassNode type = new ClassNode();
        new ClassReader(classFile).accept(type, 0);
        SimpleVerifier verifier = new SimpleVerifier(Type.getObjectType(type.name),
                type.superName == null ? null : Type.getObjectType(type.superName),
                type.interfaces.stream().map(Type::getObjectType).toList(), (type.access & 0x0200) != 0);
        verifier.setClassLoader(ClassLoader.getSystemClassLoader());
        for (MethodNode method : type.methods) {
            try {
                new Analyzer<BasicValue>(verifier).analyze(type.name, method);
            } catch (AnalyzerException e) {
                throw new AssertionError(type.name + "." + method.name + method.desc + " does not verify: " + e, e);
            }
        }
    }

    private static byte[] classFile(String type) throws IOException {
        try (InputStream in = ClassLoader.getSystemResourceAsStream(type.replace('.', '/') + ".class")) {
            assertNotNull(in, type + " has no class file on " + Runtime.version());
            return in.readAllBytes();
        }
    }
}
