package dev.hostguard.agent.cli.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.cli.TestEvents;
import dev.hostguard.agent.config.PolicyParser;
import dev.hostguard.agent.context.Authentication;
import dev.hostguard.agent.event.EventJson;
import dev.hostguard.agent.event.RequestInfo;
import dev.hostguard.agent.event.SecurityEvent;
import dev.hostguard.agent.path.ResolvedPath;
import dev.hostguard.agent.policy.Action;
import dev.hostguard.agent.policy.AuthClass;
import dev.hostguard.agent.policy.Decision;
import dev.hostguard.agent.policy.FileAccess;
import dev.hostguard.agent.policy.Mode;
import dev.hostguard.agent.policy.Operation;
import dev.hostguard.agent.policy.PolicyEngine;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code learn} on file-change events as the agent writes them: entries with their path and accesses, read back. */
class LearnFileChangeTest {
    private static final String KEY = "/srv/secrets/tls/key.pem";

    @TempDir
    Path dir;

    private static String event(Operation operation, String path) {
        return EventJson.toJson(SecurityEvent.of(operation, new Decision(Decision.Verdict.LOG, "app-secrets"),
                Mode.AUDIT, new Authentication(AuthClass.API_KEY, "6a8f7f5b0280", "header X-API-Key", "a key"),
                new RequestInfo("POST", path, "127.0.0.1"), null, "worker-1", List.of()));
    }

    private static Operation change(PolicyEngine engine, Action action, FileAccess access, String path) {
        ResolvedPath resolved = new ResolvedPath(path, path, path);
        return Operation.fileChange(action, access, resolved, null, null, engine.pathRules().match(access, resolved));
    }

    @Test
    void learnedFileChangeEntriesAllowWhatWasSeen() throws Exception {
        String policy = "rules:\n  - id: app-secrets\n    paths: [/srv/secrets/**]\n";
        PolicyEngine before = new PolicyEngine(PolicyParser.parse(policy, "p.yaml"), Mode.AUDIT, List.of());
        Path events = TestEvents.write(dir.resolve("events.jsonl"),
                event(Operation.fileChange(Action.FILE_RENAME, FileAccess.WRITE, new ResolvedPath(KEY, KEY, KEY),
                        "/srv/secrets/tls/key.pem.new", null, before.pathRules().match(FileAccess.WRITE,
                                new ResolvedPath(KEY, KEY, KEY))), "/rotate"),
                event(change(before, Action.FILE_ATTRIBUTES, FileAccess.CHANGE, KEY), "/rotate"));
        TestEvents.Run run = TestEvents.cli("learn", events.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("- operation: file-rename"), run.out());
        assertTrue(run.out().contains("- operation: file-attributes"), run.out());
        assertTrue(run.out().contains("access: [\"change\"]") || run.out().contains("access: [change]"), run.out());

        PolicyEngine engine = new PolicyEngine(PolicyParser.parse(policy + run.out(), "learned.yaml"), Mode.BLOCK,
                List.of());
        assertEquals("allowed", engine.decide(change(engine, Action.FILE_RENAME, FileAccess.WRITE, KEY),
                AuthClass.API_KEY, "POST", "/rotate").eventDecision());
        assertEquals("allowed", engine.decide(change(engine, Action.FILE_ATTRIBUTES, FileAccess.CHANGE, KEY),
                AuthClass.API_KEY, "POST", "/rotate").eventDecision());
        assertTrue(engine.decide(change(engine, Action.FILE_DELETE, FileAccess.WRITE, KEY), AuthClass.API_KEY, "POST",
                "/rotate").blocked(), "a delete was never seen");
        assertTrue(engine.decide(change(engine, Action.FILE_RENAME, FileAccess.WRITE, KEY), AuthClass.API_KEY, "POST",
                "/other").blocked(), "another route");
    }
}
