package dev.hostguard.agent.cli.learn;

import static dev.hostguard.agent.cli.TestEvents.cli;
import static dev.hostguard.agent.cli.TestEvents.fileOpen;
import static dev.hostguard.agent.cli.TestEvents.process;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.cli.TestEvents;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** {@code learn}: the policy it writes loads as YAML, has the documented structure, and allows exactly what was seen. */
class LearnCommandTest {
    /** The keys examples/policy.yaml documents for an allow entry. */
    private static final Set<String> ENTRY_KEYS = Set.of("operation", "executable", "args", "path", "access", "route",
            "auth", "caller", "reason");

    @TempDir
    Path dir;

    private final List<String> audit = List.of(
            "[hostguard] posture: uid=1000",
            process("logged", "2026-11-29T10:00:05Z", "tar", "-czf", "/backups/b.tgz", "-C", "/srv/data", ".")
                    .route("POST", "/admin/backup").key("6a8f7f5b0280").json(),
            process("logged", "2026-11-29T10:07:00Z", "tar", "-czf", "/backups/b.tgz", "-C", "/srv/data", ".")
                    .route("POST", "/admin/backup").key("6a8f7f5b0280").json(),
            process("logged", "2026-11-29T10:03:00Z", "tar", "-czf", "/backups/b.tgz", "-C", "/srv/data", ".")
                    .route("POST", "/admin/backup").auth("none").json(),
            process("logged", "2026-11-29T10:04:00Z", "sh", "-c", "tar -cf - . | gzip;touch /tmp/pwned # \"x\"\n- injected: yes")
                    .route("POST", "/admin/backup").json(),
            fileOpen("logged", "proc-cmdline", "2026-11-29T10:01:00Z", "/proc/4242/cmdline")
                    .file("/proc/4242/cmdline", "/proc/self/cmdline", "read").route("GET", "/admin/debug/cmdline").json(),
            fileOpen("logged", "proc-environ", "2026-11-29T10:01:30Z", "/proc/1/environ").route("GET", "/admin/file").json(),
            TestEvents.of("directory-list", "logged", "sensitive-listing", "2026-11-29T10:02:00Z")
                    .file("/var/log", null, "list").route("GET", "/admin/files/*").json(),
            TestEvents.of("unix-connect", "blocked", "runtime-socket", "2026-11-29T10:02:30Z")
                    .file("/run/docker.sock", "/var/run/docker.sock", "connect").json(),
            "{\"event\":{\"action\":\"policy-reloaded\"},\"hostguard\":{\"policy_hash\":\"ab\"}}",
            "{\"broken\": ");

    @Test
    void writesAPolicyThatLoadsAsYamlAndAllowsExactlyWhatWasSeen() {
        Path events = TestEvents.write(dir.resolve("events.jsonl"), audit.toArray(String[]::new));
        TestEvents.Run run = cli("learn", events.toString());
        assertEquals(0, run.exit(), run.err());

        Map<String, Object> policy = load(run.out());
        assertEquals(1, policy.get("version"));
        assertEquals("block", policy.get("mode"));
        assertEquals(Set.of("version", "mode", "allow"), policy.keySet());
        List<Map<String, Object>> allow = entries(policy);
        for (Map<String, Object> entry : allow) {
            assertTrue(ENTRY_KEYS.containsAll(entry.keySet()), "undocumented key in " + entry);
            assertTrue(entry.get("reason") instanceof String r && !r.isBlank(), "every entry has a reason: " + entry);
        }

        assertEquals(List.of(
                        // outside any request first, then by route; within a route by operation, then target
                        "unix-connect /run/docker.sock null",
                        "file-open /proc/self/cmdline GET /admin/debug/cmdline",
                        "file-open /proc/1/environ GET /admin/file",
                        "directory-list /var/log GET /admin/files/*",
                        "process-start sh POST /admin/backup",
                        "process-start tar POST /admin/backup"),
                allow.stream().map(e -> e.get("operation") + " " + e.getOrDefault("executable", e.get("path")) + " "
                        + e.get("route")).toList());

        Map<String, Object> tar = allow.get(5);
        assertEquals(List.of("-czf", "/backups/b.tgz", "-C", "/srv/data", "."), tar.get("args"));
        assertEquals(List.of("api-key", "none"), tar.get("auth"));
        Map<String, Object> injected = allow.get(4);
        assertEquals(List.of("-c", "tar -cf - . | gzip;touch /tmp/pwned # \"x\"\n- injected: yes"), injected.get("args"),
                "arguments round-trip exactly, whatever they hold");
        assertEquals(List.of("read"), allow.get(1).get("access"));
        assertFalse(allow.get(3).containsKey("access"), "only file-open entries name an access");

        assertTrue(run.out().contains("  # seen 3 times (logged 3), first 2026-11-29T10:00:05Z, last 2026-11-29T10:07:00Z,"
                + " rule process-start\n  - operation: process-start\n    executable: \"tar\""), run.out());
        assertTrue(run.out().contains("  # POST /admin/backup\n"), run.out());
        assertTrue(run.out().startsWith("# HostGuard policy, learned by `java -jar hostguard-agent.jar learn` from 8"
                + " events (1 other events ignored)\n# seen from 2026-11-29T10:00:05Z to 2026-11-29T10:07:00Z."), run.out());

        List<String> warnings = run.err().lines().toList();
        assertEquals(3, warnings.size(), run.err());
        assertTrue(warnings.get(0).startsWith("hostguard: skipped " + events + ":11: not a JSON event"), run.err());
        assertTrue(warnings.get(1).contains("/proc/1/environ") && warnings.get(1).contains("process id"), run.err());
        assertTrue(warnings.get(2).contains("/var/log on GET /admin/files/*: route hold(s) * or ?"), run.err());
        assertTrue(run.out().contains("    # REVIEW: route hold(s) * or ?"), run.out());
    }

    @Test
    void theSameEventsInAnyOrderAndFilesGiveTheSameBytes() {
        Path one = TestEvents.write(dir.resolve("one.jsonl"), audit.toArray(String[]::new));
        String expected = cli("learn", one.toString()).out();
        List<String> shuffled = new ArrayList<>(audit.subList(0, audit.size() - 1));
        Collections.shuffle(shuffled, new Random(5));
        Path a = TestEvents.write(dir.resolve("a.jsonl"), shuffled.subList(0, 4).toArray(String[]::new));
        Path b = TestEvents.write(dir.resolve("b.jsonl"), shuffled.subList(4, shuffled.size()).toArray(String[]::new));
        assertEquals(expected, cli("learn", b.toString(), a.toString()).out());
    }

    @Test
    void noEventsGiveAnEmptyAllowList() {
        Path empty = TestEvents.write(dir.resolve("empty.jsonl"), "[hostguard] active: mode=audit");
        TestEvents.Run run = cli("learn", empty.toString());
        assertEquals(0, run.exit());
        Map<String, Object> policy = load(run.out());
        assertEquals(List.of(), policy.get("allow"));
    }

    @Test
    void yamlQuotingSurvivesWhatAttackersPutInArguments() {
        for (String hostile : List.of("\"", "\\", "a: b", "# c", "\u0000\u0007\u001b[2J", "\u2028\u2029\u0085",
                "\uFEFF", "\uD800", "emoji \uD83D\uDE00", "{x}", "[y]", "&anchor *alias !tag", "'", "\r\n")) {
            Object loaded = new Load(LoadSettings.builder().build()).loadFromString("v: " + YamlText.quote(hostile));
            String expected = hostile.equals("\uD800") ? "\uD800" : hostile;
            assertEquals(expected, ((Map<?, ?>) loaded).get("v"), "round trip of " + hostile.codePoints().boxed().toList());
        }
        assertEquals("a?b ?? c", YamlText.comment("a\nb #? c"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> load(String yaml) {
        Object loaded = new Load(LoadSettings.builder().build()).loadFromString(yaml);
        return (Map<String, Object>) loaded;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> entries(Map<String, Object> policy) {
        List<Map<String, Object>> result = new ArrayList<>();
        for (Object e : (List<Object>) policy.get("allow")) {
            result.add(new LinkedHashMap<>((Map<String, Object>) e));
        }
        return result;
    }
}
