package dev.hostguard.agent.config;

import static dev.hostguard.agent.config.PolicyParserTest.parse;
import static dev.hostguard.agent.config.PolicyParserTest.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.policy.Decision.Verdict;
import dev.hostguard.agent.policy.KeyAction;
import dev.hostguard.agent.policy.Policy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code credentials.keys}, {@code auth.keys} and an allow entry's {@code key}: read, and refused with their line. */
class PerKeyPolicyParserTest {
    private static final String KEYS = """
            credentials:
              keys:
                ci-bot: 3f2a9c1e7b04
                backup-job: 9D81AA02C5F3
            """;

    @Test
    void namedKeysKeyActionsAndKeyEntriesAreRead() throws Exception {
        Policy p = parse(KEYS + """
                auth:
                  api-key: block
                  keys:
                    ci-bot: log
                    0123456789ab: allow
                allow:
                  - operation: process-start
                    executable: tar
                    route: "POST /admin/backup"
                    key: backup-job
                    reason: the nightly backup
                  - operation: file-open
                    path: /etc/app.conf
                    key: [ci-bot, aaaaaaaaaaaa]
                    auth: [api-key]
                    reason: both read it
                """);
        assertEquals(Map.of("ci-bot", "3f2a9c1e7b04", "backup-job", "9d81aa02c5f3"), p.credentials().keys(),
                "a fingerprint is read without case, as events write it");
        assertEquals("backup-job", p.credentials().keyName("9d81aa02c5f3"));
        assertEquals(List.of(new KeyAction("ci-bot", "3f2a9c1e7b04", Verdict.LOG),
                new KeyAction("0123456789ab", "0123456789ab", Verdict.ALLOW)), p.keyActions());
        assertEquals(Verdict.BLOCK, p.auth().get(dev.hostguard.agent.policy.AuthClass.API_KEY));
        assertEquals(Set.of("9d81aa02c5f3"), p.allow().get(0).keys());
        assertEquals(Set.of("3f2a9c1e7b04", "aaaaaaaaaaaa"), p.allow().get(1).keys());
        assertEquals("process-start tar (any arguments) on POST /admin/backup, key backup-job (9d81aa02c5f3)",
                PolicySummary.describe(p.allow().get(0), p.credentials()));
    }

    @Test
    void noKeysIsThePolicyAsBefore() throws Exception {
        Policy p = parse("allow:\n  - {operation: file-open, path: /x, reason: r}\n");
        assertEquals(Map.of(), p.credentials().keys());
        assertEquals(List.of(), p.keyActions());
        assertEquals(Set.of(), p.allow().get(0).keys());
    }

    @Test
    void badKeyNamesAndFingerprintsNameTheirLine() {
        assertEquals(List.of("p.yaml:3:13: bad fingerprint '3f2a9c1e7b' for the fingerprint of key 'ci-bot';"
                + " expected the 12 hex digits of the key's api_key.fingerprint in its events (e.g. 3f2a9c1e7b04)"),
                problems("credentials:\n  keys:\n    ci-bot: 3f2a9c1e7b\n"));
        assertEquals(List.of("p.yaml:3:5: bad key name 'ci bot!'; expected a word of letters, digits, '.', '_' and"
                + " '-' (e.g. ci-bot) that is not itself 12 hex digits"),
                problems("credentials:\n  keys:\n    \"ci bot!\": 3f2a9c1e7b04\n"));
        assertEquals(List.of("p.yaml:3:5: bad key name 'abcdefabcdef'; expected a word of letters, digits, '.', '_'"
                + " and '-' (e.g. ci-bot) that is not itself 12 hex digits"),
                problems("credentials:\n  keys:\n    abcdefabcdef: 3f2a9c1e7b04\n"), "a name that reads as a fingerprint");
        assertEquals(List.of("p.yaml:4:5: key 'ci-bot' named twice in credentials.keys (first at line 3)"),
                problems("credentials:\n  keys:\n    ci-bot: 3f2a9c1e7b04\n    ci-bot: 9d81aa02c5f3\n"));
        assertEquals(List.of("p.yaml:4:14: fingerprint 3f2a9c1e7b04 named twice in credentials.keys ('ci-bot' at"
                + " line 3, and 'ci-bot2')"),
                problems("credentials:\n  keys:\n    ci-bot: 3f2a9c1e7b04\n    ci-bot2: 3F2A9C1E7B04\n"));
        assertEquals(List.of("p.yaml:2:9: credentials.keys must be a mapping of a name for each key's fingerprint,"
                + " e.g. {ci-bot: 3f2a9c1e7b04}; found a list"), problems("credentials:\n  keys: [3f2a9c1e7b04]\n"));
    }

    @Test
    void unknownKeysInAuthAndAllowEntriesNameTheirLine() {
        assertEquals(List.of("p.yaml:7:5: unknown key 'ci-bto' in auth.keys; expected a name from credentials.keys"
                + " (ci-bot, backup-job) or a key's fingerprint (12 hex digits, as api_key.fingerprint in its events);"
                + " did you mean 'ci-bot'?"), problems(KEYS + "auth:\n  keys:\n    ci-bto: log\n"));
        assertEquals(List.of("p.yaml:7:13: bad value 'blok' for auth.keys.ci-bot; expected block, log, allow; did"
                + " you mean 'block'?"), problems(KEYS + "auth:\n  keys:\n    ci-bot: blok\n"));
        assertEquals(List.of("p.yaml:8:5: key '3f2a9c1e7b04' given twice in auth.keys (first at line 7, as"
                + " 'ci-bot')"), problems(KEYS + "auth:\n  keys:\n    ci-bot: log\n    3f2a9c1e7b04: block\n"));
        assertEquals(List.of("p.yaml:1:15: unknown key 'ci-bot' in an allow entry's key; expected a key's"
                + " fingerprint (12 hex digits, as api_key.fingerprint in its events)"),
                problems("allow: [{key: ci-bot, operation: file-open, path: /x, reason: r}]\n"));
        assertEquals(List.of("p.yaml:9:19: unknown key 'nobody' in an allow entry's key; expected a name from"
                + " credentials.keys (ci-bot, backup-job) or a key's fingerprint (12 hex digits, as"
                + " api_key.fingerprint in its events)"), problems(KEYS + """
                allow:
                  - operation: file-open
                    path: /x
                    reason: r
                    key: [ci-bot, nobody]
                """));
        assertEquals(List.of("p.yaml:9:10: 'key' narrows an entry to api-key requests with that key, but its auth"
                + " (user, none) leaves out api-key"), problems(KEYS + """
                allow:
                  - operation: file-open
                    path: /x
                    reason: r
                    key: ci-bot
                    auth: [user, none]
                """));
        assertTrue(problems(KEYS + "allow:\n  - {operation: file-open, path: /x, reason: r, key: []}\n").get(0)
                .contains("an empty key list"));
    }
}
