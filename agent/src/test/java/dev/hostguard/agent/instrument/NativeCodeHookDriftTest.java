package dev.hostguard.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import net.bytebuddy.description.method.MethodDescription;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The native-code hooks that are not on every supported JDK, where they exist: the FFM API's (JDK 22+; on an older JDK
 * the test is skipped with the reason) and JNA's (the version on the test class path, the one the integration tests
 * run). Each site finds exactly one method, and weaving the class file hooks it once and passes ASM's verifier. The
 * JNI site is a required JDK site, checked by {@link JdkHookDriftTest} on every JDK.
 */
class NativeCodeHookDriftTest {

    @Test
    void everyFfmSiteFindsExactlyOneMethodOnJdk22AndLater() throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() >= 22,
                "the FFM API (java.lang.foreign) is final from JDK 22; this is " + Runtime.version());
        List<HookTarget> ffm = NativeCodeHooks.ffmTargets();
        assertEquals(2, ffm.size());
        assertEquals(4, checkAndWeave(ffm, null), "libraryLookup(String|Path, Arena), downcallHandle x2");
    }

    @Test
    void everyJnaSiteFindsExactlyOneMethod() throws Exception {
        List<HookTarget> jna = new NativeCodeHooks().targets().stream()
                .filter(t -> t.exactType().startsWith("com.sun.jna.")).toList();
        assertEquals(2, checkAndWeave(jna, NativeCodeHookDriftTest.class.getClassLoader()),
                "NativeLibrary.getInstance(String, Map), getProcess(Map)");
    }

    private static int checkAndWeave(List<HookTarget> targets, ClassLoader loader) throws IOException {
        HookWeaver weaver = new HookWeaver();
        int sites = 0;
        for (HookTarget target : targets) {
            byte[] classFile = classFile(target.exactType());
            List<MethodDescription.InDefinedShape> declared = ClassFileMethods.declared(target.exactType(), classFile,
                    HookWeaver.classFiles(loader), target.sites());
            HookWeaver.Result result = weaver.weave(target.exactType(), loader, classFile, target.sites());
            assertNotNull(result.classFile(), target.exactType() + " was not changed");
            JdkHookDriftTest.verify(result.classFile());
            for (HookSite site : target.sites()) {
                assertEquals(1, HookWeaver.methodsMatching(declared, site).size(), site.name() + " on "
                        + Runtime.version());
                assertEquals(1, result.hooked().stream().filter(h -> h.site() == site).count(), site.name() + " woven");
                sites++;
            }
        }
        return sites;
    }

    private static byte[] classFile(String type) throws IOException {
        try (InputStream in = ClassLoader.getSystemResourceAsStream(type.replace('.', '/') + ".class")) {
            assertNotNull(in, type + " has no class file here");
            return in.readAllBytes();
        }
    }
}
