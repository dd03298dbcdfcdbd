package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's path from audit to block (issue 5), on every JDK: the demo runs in audit mode and does only its
 * legitimate work ({@code POST /admin/backup}, which runs one fixed {@code tar}); {@code learn} turns those events
 * into a policy; the demo restarts in block mode with {@code policy=<learned file>}. Then the backup still works
 * (its archive is written again, an {@code allowed} event carries the entry's reason), while the injected
 * {@code sh -c} on the same route ({@code ?compress=}) and every other finding (a command, {@code /proc/self/cmdline},
 * {@code /etc/shadow}, a request without credentials) are refused: markers absent, {@code blocked} events.
 */
class PolicyWorkflowIT {
    private static final String TEST = PolicyWorkflowIT.class.getSimpleName();

    @TempDir
    static Path tmp;

    @TestFactory
    Stream<DynamicTest> auditLearnBlock() {
        return Jdks.all().stream().map(jdk -> dynamicTest("[" + jdk.label() + "] audit the backup route, learn, restart"
                + " in block mode: the backup works, the injected sh -c and every other finding are blocked",
                () -> workflow(jdk)));
    }

    private static void workflow(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(jdk.label()));
        Path source = Files.createDirectories(dir.resolve("data"));
        Files.writeString(source.resolve("orders.csv"), "id,total\n1,42\n");
        Path target = dir.resolve("backups");
        Path archive = target.resolve("backup.tgz");

        // 1. audit: only the legitimate work
        Path auditDir = dir.resolve("audit");
        try (GuardedService audit = GuardedService.start(TEST, GuardedServer.DEMO, jdk, "audit", auditDir,
                b -> b.env("BACKUP_SOURCE", source.toString()).env("BACKUP_TARGET", target.toString()))) {
            for (int i = 0; i < 2; i++) {
                HttpTestClient.Response backup = backup(audit).send();
                assertEquals(200, backup.status(), backup.toString());
            }
            audit.events().awaitSince(1, "the second backup", EventLog.hasProcessArg(archive.toString()));
        }
        assertTrue(Files.size(archive) > 0, "the audit run wrote " + archive);

        // 2. learn
        ServiceProcess.Exit learned = AgentCli.run(TEST, jdk, "learn", auditDir.resolve("events.jsonl").toString());
        assertEquals(0, learned.code(), AgentCli.text(learned.stderr()));
        String yaml = AgentCli.text(learned.stdout()) + "\n";
        assertEquals(1, yaml.lines().filter(l -> l.startsWith("  - operation: ")).count(), "one allow entry:\n" + yaml);
        assertTrue(yaml.contains("    executable: \"tar\"\n    args: [\"-czf\", \"" + archive + "\", \"-C\", \""
                + source + "\", \".\"]\n    route: \"POST /admin/backup\"\n    auth: [\"api-key\"]\n"), yaml);
        Path policy = Files.writeString(dir.resolve("policy.yaml"), yaml, StandardCharsets.UTF_8);
        Files.delete(archive);

        // 3. block, with the learned policy
        Path blockDir = dir.resolve("block");
        try (GuardedService block = GuardedService.start(TEST, GuardedServer.DEMO, jdk, "block", blockDir,
                b -> b.env("BACKUP_SOURCE", source.toString()).env("BACKUP_TARGET", target.toString())
                        .agent(BuiltArtifacts.agentJar(), "mode=block,events=" + blockDir.resolve("events.jsonl")
                                + ",policy=" + policy))) {
            EventLog events = block.events();

            HttpTestClient.Response backup = backup(block).send();
            assertEquals(200, backup.status(), "the allowed backup: " + backup);
            assertTrue(Files.size(archive) > 0, "the backup ran: " + archive);
            JsonNode allowed = events.await("the allowed tar", EventLog.hasProcessArg(archive.toString()));
            assertEquals("allowed", allowed.path("hostguard").path("decision").asText(), allowed.toString());
            assertTrue(allowed.path("hostguard").path("reason").asText().startsWith("learned from events"), allowed.toString());

            Path injected = block.marker("injected");
            HttpTestClient.Response attack = backup(block).query("compress", "gzip;touch " + injected).send();
            assertBlocked(events, attack, injected, e -> e.path("process").path("executable").asText().equals("sh"));

            Path exec = block.marker("exec");
            assertBlocked(events, block.exec(Credentials.API_KEY, "process-builder", "touch " + exec).send(), exec,
                    EventLog.hasProcessArg(exec.toString()));
            Path open = block.marker("public-exec");
            assertBlocked(events, block.exec(Credentials.NONE, "process-builder", "touch " + open).send(), open,
                    EventLog.hasProcessArg(open.toString()));
            for (String[] file : List.of(new String[] {"/admin/debug/cmdline", "proc-cmdline"},
                    new String[] {"/admin/file?api=file-input-stream&path=/etc/shadow", "credentials"})) {
                int before = events.count();
                HttpTestClient.Response read = block.withCredentials(HttpTestClient.get(block.process().baseUri(),
                        file[0]), Credentials.API_KEY).send();
                JsonNode event = events.awaitSince(before, "for " + file[0],
                        e -> e.path("hostguard").path("rule").asText().equals(file[1]));
                assertEquals("blocked", event.path("hostguard").path("decision").asText(), event.toString());
                assertEquals(403, read.status(), file[0] + ": " + read);
            }
            assertFalse(events.rawText().contains(block.secrets().apiKey()), "the raw API key is in the events");
        }
    }

    private static HttpTestClient.Get backup(GuardedService service) {
        return service.withCredentials(HttpTestClient.get(service.process().baseUri(), "/admin/backup").post(),
                Credentials.API_KEY);
    }

    /** Refused: the marker never appears, one {@code blocked} event names it, and the client got the agent's 403. */
    private static void assertBlocked(EventLog events, HttpTestClient.Response response, Path marker,
                                      Predicate<JsonNode> match) {
        JsonNode event = events.await("for " + marker, match.and(e -> e.toString().contains(marker.toString())));
        assertFalse(Files.exists(marker), "blocked, yet it ran: " + marker);
        assertEquals("blocked", event.path("hostguard").path("decision").asText(), event.toString());
        assertEquals(403, response.status(), response.toString());
    }
}
