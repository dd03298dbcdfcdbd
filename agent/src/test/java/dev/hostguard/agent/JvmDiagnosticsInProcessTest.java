package dev.hostguard.agent;

import static dev.hostguard.agent.GuardedRequests.inRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Properties;
import javax.management.MBeanException;
import javax.management.ObjectName;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM's own diagnostics inside an API-key request (the rule {@code jvm-diagnostics}): a heap dump, a VM option
 * set, a diagnostic command through the {@code DiagnosticCommand} MBean, an attach and a command sent to an attached
 * JVM are refused with what each API declares, and nothing is done (no heap dump file, the option unchanged); a
 * heap dump at a protected path is refused by that path's rule. An attach to a JVM's counters (its command line) is
 * the {@code proc-cmdline} rule's read. The same in a user's request go ahead. The real agent attached to this JVM in block
 * mode; runs on JDK 17 and 25.
 */
class JvmDiagnosticsInProcessTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BLOCKED = "dev.hostguard.agent.bootstrap.HostGuardBlockedException";

    @TempDir
    static Path dir;
    private static Path events;
    private static Path host;
    private static Instrumentation instrumentation;

    @BeforeAll
    static void attach() throws Exception {
        host = Files.createDirectories(dir.resolve("host"));
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "rules:\n"
                + "  - id: host-stand-in\n    paths: [\"" + host + "/**\"]\n");
        events = dir.resolve("events.jsonl");
        instrumentation = ByteBuddyAgent.install();
        AgentMain.agentmain("mode=block,policy=" + policy + ",events=" + events, instrumentation);
    }

    private static HotSpotDiagnosticMXBean diagnostics() {
        return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    }

    /** The refusal behind {@code failure} (itself or a cause), with its rule. */
    private static String ruleOf(Throwable failure) throws Exception {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getClass().getName().equals(BLOCKED)) {
                return (String) t.getClass().getMethod("rule").invoke(t);
            }
        }
        throw new AssertionError("not a HostGuard refusal", failure);
    }

    private static List<JsonNode> diagnosticEvents() throws IOException {
        List<JsonNode> found = new ArrayList<>();
        for (String line : Files.readAllLines(events)) {
            JsonNode event = JSON.readTree(line);
            if ("jvm-diagnostic".equals(event.at("/event/action").asText())) {
                found.add(event);
            }
        }
        return found;
    }

    private static JsonNode lastDiagnosticEvent() throws IOException {
        List<JsonNode> all = diagnosticEvents();
        assertFalse(all.isEmpty(), "a jvm-diagnostic event");
        return all.get(all.size() - 1);
    }

    @Test
    void aHeapDumpIsRefusedAndNoFileWritten() throws Exception {
        Path plain = dir.resolve("plain.hprof");
        Path onHost = host.resolve("host.hprof");
        inRequest(false, () -> {
            IOException refused = assertThrows(IOException.class, () -> diagnostics().dumpHeap(plain.toString(), true));
            assertEquals("jvm-diagnostics", ruleOf(refused));
            IOException hostRefused = assertThrows(IOException.class,
                    () -> diagnostics().dumpHeap(onHost.toString(), true));
            assertEquals("host-stand-in", ruleOf(hostRefused), "the path's own rule, judged first");
        });
        assertFalse(Files.exists(plain));
        assertFalse(Files.exists(onHost));
        JsonNode event = lastDiagnosticEvent();
        assertEquals("heap-dump", event.at("/hostguard/jvm_diagnostic").asText());
        assertEquals("dumpHeap " + plain, event.at("/hostguard/jvm_command").asText());

        Path users = dir.resolve("user.hprof");
        inRequest(true, () -> diagnostics().dumpHeap(users.toString(), true));
        assertTrue(Files.size(users) > 0, "a user's heap dump is written");
        Files.delete(users);
    }

    @Test
    void aVmOptionSetIsRefusedAndTheOptionUnchanged() throws Exception {
        String before = diagnostics().getVMOption("HeapDumpPath").getValue();
        inRequest(false, () -> {
            SecurityException refused = assertThrows(SecurityException.class,
                    () -> diagnostics().setVMOption("HeapDumpPath", host.resolve("x.hprof").toString()));
            assertEquals("host-stand-in", ruleOf(refused));
            SecurityException plain = assertThrows(SecurityException.class,
                    () -> diagnostics().setVMOption("HeapDumpOnOutOfMemoryError", "true"));
            assertEquals("jvm-diagnostics", ruleOf(plain));
        });
        assertEquals(before, diagnostics().getVMOption("HeapDumpPath").getValue());
        assertEquals("false", diagnostics().getVMOption("HeapDumpOnOutOfMemoryError").getValue());
        assertEquals("HeapDumpOnOutOfMemoryError true", lastDiagnosticEvent().at("/hostguard/jvm_command").asText());

        Path users = dir.resolve("user-dumps");
        inRequest(true, () -> diagnostics().setVMOption("HeapDumpPath", users.toString()));
        assertEquals(users.toString(), diagnostics().getVMOption("HeapDumpPath").getValue());
        diagnostics().setVMOption("HeapDumpPath", before);
    }

    @Test
    void aDiagnosticCommandIsRefusedAndNoFileWritten() throws Exception {
        ObjectName command = new ObjectName("com.sun.management:type=DiagnosticCommand");
        Path plain = dir.resolve("jcmd.hprof");
        Path onHost = host.resolve("jcmd.hprof");
        String[] signature = {String[].class.getName()};
        inRequest(false, () -> {
            MBeanException refused = assertThrows(MBeanException.class, () -> ManagementFactory
                    .getPlatformMBeanServer().invoke(command, "gcHeapDump", new Object[] {new String[] {
                        plain.toString()}}, signature));
            assertEquals("jvm-diagnostics", ruleOf(refused));
            MBeanException hostRefused = assertThrows(MBeanException.class, () -> ManagementFactory
                    .getPlatformMBeanServer().invoke(command, "gcHeapDump", new Object[] {new String[] {
                        "-all", onHost.toString()}}, signature));
            assertEquals("host-stand-in", ruleOf(hostRefused));
            MBeanException version = assertThrows(MBeanException.class, () -> ManagementFactory
                    .getPlatformMBeanServer().invoke(command, "vmVersion", new Object[] {new String[0]}, signature));
            assertEquals("jvm-diagnostics", ruleOf(version), "every command, not only those naming a file");
        });
        assertFalse(Files.exists(plain));
        assertFalse(Files.exists(onHost));
        JsonNode event = lastDiagnosticEvent();
        assertEquals("diagnostic-command", event.at("/hostguard/jvm_diagnostic").asText());
        assertEquals("vmVersion", event.at("/hostguard/jvm_command").asText());

        inRequest(true, () -> {
            Object answer = ManagementFactory.getPlatformMBeanServer().invoke(command, "vmVersion",
                    new Object[] {new String[0]}, signature);
            assertTrue(String.valueOf(answer).contains("VM"), String.valueOf(answer));
        });
    }

    @Test
    void anAttachAndACommandToAnAttachedJvmAreRefused() throws Exception {
        String self = Long.toString(ProcessHandle.current().pid()); // jdk.attach.allowAttachSelf: this JVM
        inRequest(false, () -> {
            IOException refused = assertThrows(IOException.class, () -> VirtualMachine.attach(self));
            assertEquals("jvm-diagnostics", ruleOf(refused));
        });
        assertEquals("attach " + self, lastDiagnosticEvent().at("/hostguard/jvm_command").asText());

        VirtualMachine attached = VirtualMachine.attach(self); // outside requests: not judged
        try {
            inRequest(false, () -> {
                IOException refused = assertThrows(IOException.class, attached::getSystemProperties);
                assertEquals("jvm-diagnostics", ruleOf(refused));
            });
            inRequest(true, () -> {
                Properties properties = attached.getSystemProperties();
                assertEquals(System.getProperty("java.version"), properties.getProperty("java.version"));
            });
        } finally {
            attached.detach();
        }
        inRequest(true, () -> VirtualMachine.attach(self).detach());
    }

    /**
     * {@code Perf}'s attach to a JVM's counters (which hold its command line), as jvmstat makes it for
     * {@code VirtualMachine.list()}: the {@code proc-cmdline} rule's read of that pid. Called directly (the test exports
     * {@code jdk.internal.perf} to itself): in a guarded request {@code VirtualMachine.list()} already stops at the
     * refused listing of {@code /proc} (jvmstat looks for other JVMs' {@code /proc/<pid>/root/tmp}).
     */
    @Test
    void attachingToAJvmsCountersIsTheProcCmdlineRulesRead() throws Exception {
        instrumentation.redefineModule(Object.class.getModule(), Set.of(),
                Map.of("jdk.internal.perf", Set.of(JvmDiagnosticsInProcessTest.class.getModule())), Map.of(),
                Set.of(), Map.of());
        Class<?> perfType = Class.forName("jdk.internal.perf.Perf");
        Object perf = perfType.getMethod("getPerf").invoke(null);
        int self = (int) ProcessHandle.current().pid();
        inRequest(false, () -> {
            InvocationTargetException refused = assertThrows(InvocationTargetException.class,
                    () -> attachCounters(perfType, perf, self));
            assertEquals("proc-cmdline", ruleOf(refused.getCause()));
        });
        boolean cmdlineEvent = false;
        for (String line : Files.readAllLines(events)) {
            JsonNode event = JSON.readTree(line);
            cmdlineEvent |= "proc-cmdline".equals(event.at("/hostguard/rule").asText())
                    && ("/proc/" + self + "/cmdline").equals(event.at("/file/path").asText());
        }
        assertTrue(cmdlineEvent, "an event of the proc-cmdline rule for /proc/" + self + "/cmdline");
        inRequest(true, () -> assertNotNull(attachCounters(perfType, perf, self)));
    }

    /** {@code attach(int, String)} on JDK 17 to 24, {@code attach(int)} on 25. */
    private static Object attachCounters(Class<?> perfType, Object perf, int pid) throws Exception {
        try {
            return perfType.getMethod("attach", int.class).invoke(perf, pid);
        } catch (NoSuchMethodException jdk17) {
            return perfType.getMethod("attach", int.class, String.class).invoke(perf, pid, "r");
        }
    }
}
