package dev.hostguard.agent.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.AllocationMeter;
import dev.hostguard.agent.config.PolicyParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Allow entries and auth actions narrowed to one API key: they apply to that key's api-key requests only, never to
 * another key's, a user's (even one that carries the key), an anonymous request or work outside requests.
 */
class PerKeyPolicyTest {
    private static final String A = "3f2a9c1e7b04";
    private static final String B = "9d81aa02c5f3";
    private static final String POLICY = """
            mode: block
            credentials:
              keys:
                backup-job: 3f2a9c1e7b04
                ci-bot: 9d81aa02c5f3
            auth:
              api-key: block
              user: block
              outside-request: block
              keys:
                ci-bot: log
            allow:
              - operation: process-start
                executable: tar
                route: "POST /admin/backup"
                key: backup-job
                reason: the nightly backup job
            """;

    private static PolicyEngine engine(String yaml) throws Exception {
        return new PolicyEngine(PolicyParser.parse(yaml, "p.yaml"), Mode.BLOCK, List.of());
    }

    private static Operation tar(PolicyEngine engine) {
        List<String> command = List.of("tar", "-czf", "/tmp/backup.tgz", "/srv/data");
        return Operation.processStart(command, "/srv", engine.processRule(command));
    }

    @Test
    void aKeysAllowEntryAllowsThatKeyAlone() throws Exception {
        PolicyEngine engine = engine(POLICY);
        Operation tar = tar(engine);
        Decision allowed = engine.decide(tar, AuthClass.API_KEY, A, "POST", "/admin/backup");
        assertEquals("allowed", allowed.eventDecision());
        assertEquals(1, allowed.allowedBy().index());
        assertNull(allowed.byKey(), "the allow entry decided, not a key action");

        assertTrue(engine.decide(tar, AuthClass.API_KEY, "0123456789ab", "POST", "/admin/backup").blocked(),
                "another key");
        assertTrue(engine.decide(tar, AuthClass.API_KEY, null, "POST", "/admin/backup").blocked(),
                "an api-key request whose key is unknown");
        assertTrue(engine.decide(tar, AuthClass.NONE, null, "POST", "/admin/backup").blocked(), "anonymous");
        assertTrue(engine.decide(tar, AuthClass.USER, A, "POST", "/admin/backup").blocked(),
                "a user's request that carries the key is the user's");
        assertTrue(engine.decide(tar, null, null, null, null).blocked(), "outside requests");
        assertTrue(engine.decide(tar, AuthClass.API_KEY, A, "POST", "/admin/restore").blocked(), "another route");
    }

    @Test
    void aKeysAuthActionIsThatKeysAlone() throws Exception {
        PolicyEngine engine = engine(POLICY);
        Operation tar = tar(engine);
        Decision logged = engine.decide(tar, AuthClass.API_KEY, B, "POST", "/admin/backup");
        assertEquals("logged", logged.eventDecision(), "ci-bot's findings are only logged");
        assertEquals("ci-bot", logged.byKey().label());
        assertSame(logged, engine.decide(tar, AuthClass.API_KEY, B, "POST", "/x"), "made once per rule");
        assertTrue(engine.decide(tar, AuthClass.USER, B, "POST", "/x").blocked(), "a user with ci-bot's key");
        assertNull(engine.decide(tar, AuthClass.API_KEY, A, "GET", "/x").byKey(), "another key: its class's action");
        assertTrue(engine.decide(tar, AuthClass.API_KEY, A, "GET", "/x").blocked());
        assertEquals("ci-bot", engine.keyName(B));
        assertNull(engine.keyName("0123456789ab"));
        assertNull(engine.keyName(null));
    }

    @Test
    void aKeyJudgedByItsOwnActionIsGuardedThoughItsClassIsNot() throws Exception {
        PolicyEngine engine = engine("""
                mode: block
                auth:
                  api-key: allow
                  keys:
                    3f2a9c1e7b04: block
                """);
        Operation tar = tar(engine);
        assertTrue(engine.guards(AuthClass.API_KEY, A));
        assertFalse(engine.guards(AuthClass.API_KEY, B), "another key: api-key's allow");
        assertFalse(engine.guards(AuthClass.API_KEY, null));
        assertFalse(engine.guards(AuthClass.USER, A), "a user's request is judged by its class");
        assertTrue(engine.decide(tar, AuthClass.API_KEY, A, "POST", "/x").blocked());
        assertEquals("3f2a9c1e7b04", engine.decide(tar, AuthClass.API_KEY, A, "POST", "/x").byKey().label());
        assertTrue(engine.decide(tar, AuthClass.API_KEY, B, "POST", "/x").allowed());

        PolicyEngine keyAllowed = engine("auth:\n  keys:\n    3f2a9c1e7b04: allow\n");
        assertFalse(keyAllowed.guards(AuthClass.API_KEY, A), "a key allowed outright is not even judged");
        assertTrue(keyAllowed.guards(AuthClass.API_KEY, B));
        assertTrue(keyAllowed.decide(tar, AuthClass.API_KEY, A, "POST", "/x").allowed());
    }

    /**
     * What the keys add to deciding a finding allocates nothing: the key's action is looked up, its decision made
     * once per rule, and an entry of another key is passed over before its globs (which, as before, are matched
     * only for a finding, an event's worth of allocation anyway).
     */
    @Test
    void theKeysAddNoAllocationToDecidingAFinding() throws Exception {
        AllocationMeter meter = AllocationMeter.require();
        PolicyEngine engine = engine(POLICY);
        Operation tar = tar(engine);
        // backup-job's entry is tried for both and passed over by its key; ci-bot has a key action (logged), the
        // other key its class's (blocked)
        String[] keys = {"0123456789ab", B};
        double best = meter.bytesPerCall(calls -> {
            int blocked = 0;
            for (int i = 0; i < calls; i++) {
                if (engine.decide(tar, AuthClass.API_KEY, keys[i & 1], "GET", "/admin/status").blocked()) {
                    blocked++;
                }
            }
            assertEquals((calls + 1) / 2, blocked);
        });
        System.out.printf("[allocation] PolicyEngine.decide with per-key entries: %.4f bytes per call%n", best);
        assertTrue(best < AllocationMeter.ZERO_BYTES_PER_CALL, best + " bytes per call");
    }
}
