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
import dev.hostguard.agent.policy.Mode;
import dev.hostguard.agent.policy.NativeCode;
import dev.hostguard.agent.policy.Operation;
import dev.hostguard.agent.policy.PolicyEngine;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code learn} on native-code events as the agent writes them: the learned policy allows exactly what was seen. */
class LearnNativeCodeTest {
    private static final String SQLITE = "/tmp/sqlite-3.45-libsqlitejdbc.so";
    private static final String GETPID = "function ()i4 at 0x7f0011";

    @TempDir
    Path dir;

    private static String event(Operation operation, String path) {
        return EventJson.toJson(SecurityEvent.of(operation, new Decision(Decision.Verdict.LOG, "native-code"),
                Mode.AUDIT, new Authentication(AuthClass.API_KEY, "6a8f7f5b0280", "header X-API-Key", "a key"),
                new RequestInfo("GET", path, "127.0.0.1"), null, "worker-1", List.of()));
    }

    @Test
    void learnedNativeEntriesAllowWhatWasSeenOnItsRouteOnly() throws Exception {
        Path events = TestEvents.write(dir.resolve("events.jsonl"),
                event(NativeCode.load(NativeCode.JNI, SQLITE, NativeCode.RULE), "/report"),
                event(NativeCode.downcall(GETPID, NativeCode.RULE), "/pid"));
        TestEvents.Run run = TestEvents.cli("learn", events.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("- operation: native-load"), run.out());
        assertTrue(run.out().contains("- operation: native-downcall"), run.out());

        PolicyEngine engine = new PolicyEngine(PolicyParser.parse(run.out(), "learned.yaml"), Mode.BLOCK, List.of());
        Operation sqlite = NativeCode.load(NativeCode.JNI, SQLITE, engine.nativeCodeRule());
        assertEquals("allowed", engine.decide(sqlite, AuthClass.API_KEY, "GET", "/report").eventDecision());
        assertTrue(engine.decide(sqlite, AuthClass.API_KEY, "GET", "/other").blocked(), "another route");
        assertTrue(engine.decide(NativeCode.load(NativeCode.JNI, "/tmp/evil.so", engine.nativeCodeRule()),
                AuthClass.API_KEY, "GET", "/report").blocked(), "another library");
        assertEquals("allowed", engine.decide(NativeCode.downcall(GETPID, engine.nativeCodeRule()), AuthClass.API_KEY,
                "GET", "/pid").eventDecision());
    }
}
