package dev.hostguard.agent.cli.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.cli.TestEvents;
import dev.hostguard.agent.config.PolicyParser;
import dev.hostguard.agent.context.Authentication;
import dev.hostguard.agent.event.EventJson;
import dev.hostguard.agent.event.RequestInfo;
import dev.hostguard.agent.event.SecurityEvent;
import dev.hostguard.agent.policy.AuthClass;
import dev.hostguard.agent.policy.Decision;
import dev.hostguard.agent.policy.JvmDiagnostics;
import dev.hostguard.agent.policy.Mode;
import dev.hostguard.agent.policy.Operation;
import dev.hostguard.agent.policy.PolicyEngine;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code learn} on {@code jvm-diagnostic} and {@code process-signal} events as the agent writes them: an entry per
 * route and command (with its kind), per route and signal; the learned policy allows them there and nowhere else.
 */
class LearnProcessControlTest {
    @TempDir
    Path dir;

    private static String event(Operation operation, String method, String path) {
        return EventJson.toJson(SecurityEvent.of(operation, new Decision(Decision.Verdict.LOG, operation.rule().id()),
                Mode.AUDIT, new Authentication(AuthClass.API_KEY, "6a8f7f5b0280", "header X-API-Key", "a key"),
                new RequestInfo(method, path, "127.0.0.1"), null, "worker-1", List.of()));
    }

    @Test
    void learnedEntriesAllowTheDiagnosticsAndSignalsSeenOnTheirRoutes() throws Exception {
        PolicyEngine before = new PolicyEngine(PolicyParser.parse("version: 1\n", "p.yaml"), Mode.AUDIT, List.of());
        Operation histogram = JvmDiagnostics.operation(JvmDiagnostics.DIAGNOSTIC_COMMAND, "gcClassHistogram",
                before.jvmDiagnosticsRule());
        Operation stop = Operation.processSignal(4242, false, before.processSignalRule());
        Path events = TestEvents.write(dir.resolve("events.jsonl"),
                event(histogram, "GET", "/admin/histogram"),
                event(histogram, "GET", "/admin/histogram"),
                event(stop, "POST", "/admin/workers/stop"));
        TestEvents.Run run = TestEvents.cli("learn", events.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("- operation: jvm-diagnostic"), run.out());
        assertTrue(run.out().contains("command: \"gcClassHistogram\"") || run.out().contains("command: gcClassHistogram"),
                run.out());
        assertTrue(run.out().contains("diagnostic-command"), run.out());
        assertTrue(run.out().contains("- operation: process-signal"), run.out());
        assertTrue(run.out().contains("SIGTERM"), run.out());
        assertTrue(run.out().contains("seen 2 times"), run.out());

        PolicyEngine engine = new PolicyEngine(PolicyParser.parse(run.out(), "learned.yaml"), Mode.BLOCK, List.of());
        Operation histogramNow = JvmDiagnostics.operation(JvmDiagnostics.DIAGNOSTIC_COMMAND, "gcClassHistogram",
                engine.jvmDiagnosticsRule());
        Operation stopNow = Operation.processSignal(5151, false, engine.processSignalRule());
        assertEquals("allowed", engine.decide(histogramNow, AuthClass.API_KEY, "GET", "/admin/histogram")
                .eventDecision());
        assertTrue(engine.decide(histogramNow, AuthClass.API_KEY, "GET", "/admin/workers/stop").blocked(),
                "another route");
        assertTrue(engine.decide(JvmDiagnostics.operation(JvmDiagnostics.HEAP_DUMP, "dumpHeap /tmp/x.hprof",
                engine.jvmDiagnosticsRule()), AuthClass.API_KEY, "GET", "/admin/histogram").blocked(),
                "a heap dump was never seen");
        assertEquals("allowed", engine.decide(stopNow, AuthClass.API_KEY, "POST", "/admin/workers/stop")
                .eventDecision(), "any process: the pid is not part of the entry");
        assertTrue(engine.decide(Operation.processSignal(5151, true, engine.processSignalRule()), AuthClass.API_KEY,
                "POST", "/admin/workers/stop").blocked(), "SIGKILL was never seen");
    }
}
