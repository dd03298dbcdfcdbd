package dev.hostguard.agent.cli.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import dev.hostguard.agent.policy.Operation;
import dev.hostguard.agent.policy.Policy;
import dev.hostguard.agent.policy.PolicyEngine;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code learn --per-key}: an api-key request's operation is learned for its key alone, the keys named in
 * {@code credentials.keys}; the output is a policy the parser reads, which allows each key what it did and no more.
 */
class LearnPerKeyTest {
    private static final String A = "3f2a9c1e7b04";
    private static final String B = "9d81aa02c5f3";
    private static final List<String> TAR = List.of("tar", "-czf", "/backups/b.tgz", ".");

    @TempDir
    Path dir;

    private static String event(AuthClass auth, String fingerprint, String keyName) {
        return EventJson.toJson(SecurityEvent.of(Operation.processStart(TAR.toArray(String[]::new), "/srv"),
                new Decision(Decision.Verdict.LOG, "process-start"), Mode.AUDIT,
                new Authentication(auth, fingerprint, fingerprint == null ? null : "header X-API-Key", "test"), keyName,
                new RequestInfo("POST", "/admin/backup", "127.0.0.1"), null, "worker-1", List.of()));
    }

    private Path events() throws Exception {
        return TestEvents.write(dir.resolve("events.jsonl"),
                event(AuthClass.API_KEY, B, null),
                event(AuthClass.API_KEY, A, "backup-job"),
                event(AuthClass.API_KEY, A, "backup-job"),
                event(AuthClass.USER, A, null), // a user's request that carries a key: not the key's
                event(AuthClass.NONE, null, null));
    }

    @Test
    void eachKeyGetsItsOwnEntryAndAName() throws Exception {
        TestEvents.Run run = TestEvents.cli("learn", "--per-key", events().toString());
        assertEquals(0, run.exit(), run.err());
        String yaml = run.out();
        assertTrue(yaml.contains("credentials:\n"), yaml);
        assertTrue(yaml.contains("    backup-job: \"" + A + "\"  # 2 events\n"), "the name the events carry:\n" + yaml);
        assertTrue(yaml.contains("    key-1: \"" + B + "\"  # 1 event\n"), yaml);
        assertEquals(3, yaml.lines().filter(l -> l.equals("  - operation: process-start")).count(),
                "one entry per key, one for the rest:\n" + yaml);
        assertTrue(yaml.contains("    auth: [\"api-key\"]\n    key: \"backup-job\"\n"), yaml);
        assertTrue(yaml.contains("    auth: [\"api-key\"]\n    key: \"key-1\"\n"), yaml);
        assertTrue(yaml.contains("    auth: [\"none\", \"user\"]\n    reason:"), yaml);

        Policy policy = PolicyParser.parse(yaml, "learned.yaml");
        assertEquals(Map.of("backup-job", A, "key-1", B), policy.credentials().keys());
        assertEquals(Set.of(A), policy.allow().get(1).keys());
        PolicyEngine engine = new PolicyEngine(policy, Mode.BLOCK, List.of());
        Operation tar = Operation.processStart(TAR, "/srv", engine.processRule(TAR));
        assertEquals("allowed", engine.decide(tar, AuthClass.API_KEY, A, "POST", "/admin/backup").eventDecision());
        assertEquals("allowed", engine.decide(tar, AuthClass.API_KEY, B, "POST", "/admin/backup").eventDecision());
        assertTrue(engine.decide(tar, AuthClass.API_KEY, "0123456789ab", "POST", "/admin/backup").blocked(),
                "a key not seen");
        assertTrue(engine.decide(tar, AuthClass.API_KEY, A, "POST", "/admin/restore").blocked(), "another route");
    }

    @Test
    void withoutTheFlagTheEntriesAreAsBefore() throws Exception {
        TestEvents.Run run = TestEvents.cli("learn", events().toString());
        assertEquals(0, run.exit(), run.err());
        assertFalse(run.out().contains("credentials:"), run.out());
        assertFalse(run.out().contains("key:"), run.out());
        assertEquals(1, run.out().lines().filter(l -> l.equals("  - operation: process-start")).count(), run.out());
        assertTrue(run.out().contains("    auth: [\"api-key\", \"none\", \"user\"]\n"), run.out());
    }
}
