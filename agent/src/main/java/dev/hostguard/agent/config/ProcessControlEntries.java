package dev.hostguard.agent.config;

import dev.hostguard.agent.policy.JvmDiagnostics;
import java.util.List;

/**
 * What allow entries for the process-control findings take. A {@code jvm-diagnostic} entry: {@code command}, a glob
 * on the event's {@code hostguard.jvm_command} (the command line: {@code gcClassHistogram},
 * {@code dumpHeap /dumps/x.hprof}, {@code attach 1234}), and optionally {@code diagnostic}, its kind. A
 * {@code process-signal} entry: optionally {@code signal}, the signals allowed (any when absent); the process
 * signalled is a pid, which names another process after every restart, so an entry does not name it. Both are
 * usually narrowed by {@code route}, {@code auth} and {@code caller}.
 */
final class ProcessControlEntries {
    /** {@code hostguard.jvm_diagnostic} values. */
    static final List<String> DIAGNOSTICS = List.of(JvmDiagnostics.HEAP_DUMP, JvmDiagnostics.VM_OPTION,
            JvmDiagnostics.DIAGNOSTIC_COMMAND, JvmDiagnostics.ATTACH);
    /** {@code hostguard.signal} values: {@code destroy()} sends SIGTERM, {@code destroyForcibly()} SIGKILL. */
    static final List<String> SIGNALS = List.of("SIGTERM", "SIGKILL");

    private ProcessControlEntries() {
    }
}
