package dev.hostguard.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.AgentMain;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.description.method.MethodDescription;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Every JDK target as the running agent hooks it: loaded (or retransformed) in this JVM, which verifies the boot
 * loader's classes too (surefire's {@code -XX:+BytecodeVerificationLocal}), so the JVM's own verifier checks each
 * woven class, stack map frames included; and each required site's method calls into {@code Hooks}. Runs on JDK
 * 17 and 25.
 */
class HookedJdkClassesVerifyTest {
    private static final String HOOKS = "dev/hostguard/agent/bootstrap/Hooks";

    @TempDir
    static Path dir;
    static Instrumentation instrumentation;

    @BeforeAll
    static void attach() throws Exception {
        instrumentation = ByteBuddyAgent.install();
        AgentMain.agentmain("mode=audit,events=" + dir.resolve("events.jsonl"), instrumentation);
    }

    @Test
    void everyJdkTargetIsHookedAndPassesTheJvmsVerifier() throws Exception {
        List<Class<?>> classes = new ArrayList<>();
        for (HookTarget target : HookInstaller.targets()) {
            if (target.jdkType() != null) {
                // initialised, hence linked and verified, with the advice in
                classes.add(Class.forName(target.jdkType(), true, ClassLoader.getSystemClassLoader()));
            }
        }
        Map<String, byte[]> woven = new ConcurrentHashMap<>();
        ClassFileTransformer observer = new ClassFileTransformer() {
            @Override
            public byte[] transform(Module module, ClassLoader loader, String name, Class<?> redefined,
                                    ProtectionDomain domain, byte[] classFile) {
                woven.put(name, classFile); // registered after the agent's: sees what it made
                return null;
            }
        };
        instrumentation.addTransformer(observer, true);
        try {
            instrumentation.retransformClasses(classes.toArray(new Class<?>[0])); // verified again
        } finally {
            instrumentation.removeTransformer(observer);
        }
        int required = 0;
        int optional = 0;
        for (HookTarget target : HookInstaller.targets()) {
            if (target.jdkType() == null) {
                continue;
            }
            byte[] classFile = woven.get(target.jdkType().replace('.', '/'));
            assertNotNull(classFile, target.jdkType() + " was not retransformed");
            ClassNode type = new ClassNode();
            new ClassReader(classFile).accept(type, ClassReader.SKIP_FRAMES);
            List<MethodDescription.InDefinedShape> declared = ClassFileMethods.declared(target.jdkType(), classFile,
                    HookWeaver.classFiles(null), target.sites());
            for (HookSite site : target.sites()) {
                List<String> sites = HookWeaver.methodsMatching(declared, site);
                int hooked = 0;
                for (MethodNode method : type.methods) {
                    if (sites.contains(method.name + method.desc)) {
                        assertTrue(callsHooks(method), site.name() + ": " + method.name + " calls no Hooks method");
                        hooked++;
                    }
                }
                if (site.required()) {
                    assertEquals(1, hooked, site.name() + " on " + Runtime.version());
                    required++;
                } else {
                    optional += hooked;
                }
            }
        }
        assertEquals(97, required, "every required JDK hook site");
        assertEquals(3, optional, "the fork/join pool's submission, the direct transfer and Perf's attach, on whichever"
                + " JDK this is");
    }

    private static boolean callsHooks(MethodNode method) {
        for (AbstractInsnNode insn = method.instructions.getFirst(); insn != null; insn = insn.getNext()) {
            if (insn instanceof MethodInsnNode call && call.owner.equals(HOOKS)) {
                return true;
            }
        }
        return false;
    }
}
