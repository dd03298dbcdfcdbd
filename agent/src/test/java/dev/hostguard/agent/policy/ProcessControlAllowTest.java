package dev.hostguard.agent.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.config.PolicyParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Allow entries for the process-control findings: {@code jvm-diagnostic} (a command glob on the event's
 * {@code hostguard.jvm_command}, optionally the diagnostic's kind) and {@code process-signal} (optionally the
 * signals), narrowed by route and auth as any entry (the parser's side: {@code ProcessControlEntriesTest}).
 */
class ProcessControlAllowTest {
    private static PolicyEngine engine(String yaml) throws Exception {
        return new PolicyEngine(PolicyParser.parse(yaml, "p.yaml"), Mode.BLOCK, List.of());
    }

    private static Operation diagnostic(PolicyEngine engine, String kind, String command) {
        return JvmDiagnostics.operation(kind, command, engine.jvmDiagnosticsRule());
    }

    private static Operation signal(PolicyEngine engine, boolean forcibly) {
        return Operation.processSignal(4242, forcibly, engine.processSignalRule());
    }

    @Test
    void aJvmDiagnosticEntryAllowsItsCommandOnItsRouteOnly() throws Exception {
        PolicyEngine engine = engine("""
                allow:
                  - operation: jvm-diagnostic
                    command: gcClassHistogram*
                    diagnostic: diagnostic-command
                    route: "GET /admin/histogram"
                    auth: [api-key]
                    reason: the ops dashboard shows the class histogram
                  - operation: jvm-diagnostic
                    command: "dumpHeap /dumps/*.hprof"
                    route: /admin/dump
                    reason: support collects heap dumps
                """);
        Decision histogram = engine.decide(diagnostic(engine, JvmDiagnostics.DIAGNOSTIC_COMMAND, "gcClassHistogram"),
                AuthClass.API_KEY, "GET", "/admin/histogram");
        assertEquals("allowed", histogram.eventDecision());
        assertEquals(1, histogram.allowedBy().index());
        assertTrue(engine.decide(diagnostic(engine, JvmDiagnostics.DIAGNOSTIC_COMMAND, "gcClassHistogram"),
                AuthClass.API_KEY, "GET", "/public/x").blocked(), "another route");
        assertTrue(engine.decide(diagnostic(engine, JvmDiagnostics.DIAGNOSTIC_COMMAND, "gcClassHistogram"),
                AuthClass.NONE, "GET", "/admin/histogram").blocked(), "another authentication class");
        assertTrue(engine.decide(diagnostic(engine, JvmDiagnostics.DIAGNOSTIC_COMMAND, "gcHeapDump /tmp/x.hprof"),
                AuthClass.API_KEY, "GET", "/admin/histogram").blocked(), "another command on the same route");
        assertTrue(engine.decide(diagnostic(engine, JvmDiagnostics.HEAP_DUMP, "gcClassHistogram"),
                AuthClass.API_KEY, "GET", "/admin/histogram").blocked(), "another kind of diagnostic");

        assertEquals(2, engine.decide(diagnostic(engine, JvmDiagnostics.HEAP_DUMP, "dumpHeap /dumps/a.hprof"),
                AuthClass.API_KEY, "POST", "/admin/dump").allowedBy().index(), "any kind when the entry names none");
        assertTrue(engine.decide(diagnostic(engine, JvmDiagnostics.HEAP_DUMP, "dumpHeap /dumps/../etc/a.hprof"),
                AuthClass.API_KEY, "POST", "/admin/dump").blocked(), "'*' stays within one path segment");
    }

    @Test
    void aProcessSignalEntryAllowsItsSignalsOnItsRouteOnly() throws Exception {
        PolicyEngine engine = engine("""
                allow:
                  - operation: process-signal
                    signal: [SIGTERM]
                    route: "POST /admin/workers/stop"
                    reason: the supervisor stops its own workers
                  - operation: process-signal
                    route: /admin/workers/kill
                    reason: and kills them when they hang
                """);
        assertEquals("allowed", engine.decide(signal(engine, false), AuthClass.API_KEY, "POST", "/admin/workers/stop")
                .eventDecision());
        assertTrue(engine.decide(signal(engine, true), AuthClass.API_KEY, "POST", "/admin/workers/stop").blocked(),
                "SIGKILL is not listed");
        assertTrue(engine.decide(signal(engine, false), AuthClass.API_KEY, "POST", "/public/x").blocked(),
                "another route");
        assertEquals(2, engine.decide(signal(engine, true), AuthClass.NONE, "GET", "/admin/workers/kill").allowedBy()
                .index(), "no signal named: any");
    }
}
