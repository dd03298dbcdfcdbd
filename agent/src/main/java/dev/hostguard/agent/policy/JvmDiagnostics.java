package dev.hostguard.agent.policy;

import java.util.List;
import java.util.Set;

/**
 * The JVM's own diagnostics inside a guarded request: a heap dump ({@code HotSpotDiagnosticMXBean.dumpHeap}), a
 * VM option set ({@code setVMOption}: {@code HeapDumpPath} and friends), a diagnostic command run through the
 * platform MBean server's {@code DiagnosticCommand} MBean ({@code GC.heap_dump}, {@code JFR.start}/{@code dump},
 * {@code Thread.dump_to_file}, {@code VM.cds}, {@code JVMTI.agent_load}, ...: jcmd in-process), and an attach to
 * another JVM ({@code VirtualMachine.attach(pid)} and each command sent to it: {@code loadAgent}, properties,
 * thread dumps). A heap dump holds every secret in memory, an agent or a JVMTI library is code loaded into a JVM:
 * none is anything a request handler does, so each is the finding of one rule, {@code jvm-diagnostics}, with the
 * command line in the event. A file such a command writes at a path it names is judged too, as a write of that path
 * by the path rules ({@code /host/**}, HostGuard's own files), before the command.
 */
public final class JvmDiagnostics {
    /** The one rule. Its access is a process start's: the JVM is asked to act, as a process is asked to start. */
    public static final Rule RULE = new Rule("jvm-diagnostics", "process", Set.of(FileAccess.EXECUTE),
            "a JVM diagnostic run by a request that carries only an API key, or nothing: a heap dump, a VM option set,"
                    + " a diagnostic command (jcmd through the DiagnosticCommand MBean: GC.heap_dump, JFR.start,"
                    + " JVMTI.agent_load, ...), an attach to another JVM (VirtualMachine.attach, loadAgent)",
            "HostGuard issue 18 (JDK natives left out: HotSpotDiagnostic, DiagnosticCommand, jdk.attach)");

    /** What was asked: the {@code hostguard.jvm_diagnostic} of events. */
    public static final String HEAP_DUMP = "heap-dump";
    public static final String VM_OPTION = "vm-option";
    public static final String DIAGNOSTIC_COMMAND = "diagnostic-command";
    public static final String ATTACH = "attach";

    private JvmDiagnostics() {
    }

    /**
     * A diagnostic run.
     *
     * @param kind {@link #HEAP_DUMP}, {@link #VM_OPTION}, {@link #DIAGNOSTIC_COMMAND} or {@link #ATTACH}
     * @param command the command line: {@code dumpHeap /tmp/x.hprof}, {@code HeapDumpPath=/x},
     *                {@code gcHeapDump /tmp/x.hprof}, {@code attach 1234}, {@code 1234 load instrument false a.jar}
     */
    public static Operation operation(String kind, String command, Rule rule) {
        return new Operation(Action.JVM_DIAGNOSTIC, command, null, null, List.of(kind), null, rule);
    }
}
