package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-key policies (issue 15), on every JDK: the demo accepts three API keys, one per client, and runs in block
 * mode with a policy that names them. The backup's {@code tar} is allowed for the backup job's key alone: its backup
 * runs ({@code allowed} event naming the entry and the key), the CI bot's same request is refused (403, archive
 * absent, {@code blocked} event with its fingerprint). The reporter's key has its own auth action, {@code log}: its
 * command runs with a {@code logged} event naming {@code auth.keys.reporter}, while the CI bot's same command is
 * refused. A reload that moves the entry to the CI bot's key lets its backup run and refuses the backup job's. Then
 * {@code learn --per-key} on these events writes a policy with one entry per key, which {@code check} accepts.
 */
class PerKeyPolicyIT {
    private static final String TEST = PerKeyPolicyIT.class.getSimpleName();
    private static final Duration RELOAD_WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path tmp;

    @TestFactory
    Stream<DynamicTest> perKey() {
        return Jdks.all().stream().map(jdk -> dynamicTest("[" + jdk.label() + "] a per-key allow entry lets one key's"
                + " backup run and refuses it for another key; a per-key auth action logs one key's command and"
                + " blocks another's; learn --per-key round trip", () -> perKey(jdk)));
    }

    private static void perKey(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(jdk.label()));
        Path source = Files.createDirectories(dir.resolve("data"));
        Files.writeString(source.resolve("orders.csv"), "id,total\n1,42\n");
        Path target = dir.resolve("backups");
        Path archive = target.resolve("backup.tgz");
        String backupJob = "itkey-backup-" + UUID.randomUUID();
        String ciBot = "itkey-ci-" + UUID.randomUUID();
        String reporter = "itkey-report-" + UUID.randomUUID();
        String policy = """
                mode: block
                credentials:
                  keys:
                    backup-job: %s
                    ci-bot: %s
                    reporter: %s
                auth:
                  api-key: block
                  keys:
                    reporter: log
                allow:
                  - operation: process-start
                    executable: tar
                    route: "POST /admin/backup"
                    key: backup-job
                    reason: the nightly backup job's key
                """.formatted(Secrets.fingerprint(backupJob), Secrets.fingerprint(ciBot), Secrets.fingerprint(reporter));
        Path policyFile = Files.writeString(dir.resolve("policy.yaml"), policy, StandardCharsets.UTF_8);

        Path runDir = dir.resolve("block");
        Path eventsFile;
        try (GuardedService block = GuardedService.start(TEST, GuardedServer.DEMO, jdk, "block", runDir,
                b -> b.env("API_KEY", backupJob + "," + ciBot + "," + reporter)
                        .env("BACKUP_SOURCE", source.toString()).env("BACKUP_TARGET", target.toString())
                        .addAgentOption("policy=" + policyFile))) {
            EventLog events = block.events();
            eventsFile = events.file();

            // the backup job's key: its entry allows the tar
            HttpTestClient.Response allowedBackup = backup(block, backupJob).send();
            assertEquals(200, allowedBackup.status(), "the backup job's backup: " + allowedBackup);
            assertTrue(Files.size(archive) > 0, "the backup ran: " + archive);
            JsonNode allowed = events.await("the backup job's tar", byKey(archiveTar(archive), backupJob));
            assertEquals("allowed", decision(allowed), allowed.toString());
            assertEquals(1, allowed.path("hostguard").path("allow_entry").asInt(), allowed.toString());
            assertEquals("the nightly backup job's key", allowed.path("hostguard").path("reason").asText());
            assertEquals("backup-job", allowed.path("api_key").path("name").asText(), allowed.toString());
            Files.delete(archive);

            // the CI bot's key: the same request, refused
            int before = events.count();
            HttpTestClient.Response refusedBackup = backup(block, ciBot).send();
            JsonNode blocked = events.awaitSince(before, "the CI bot's tar", byKey(archiveTar(archive), ciBot));
            assertEquals(403, refusedBackup.status(), "the CI bot's backup: " + refusedBackup);
            assertFalse(Files.exists(archive), "refused, yet the archive was written: " + archive);
            assertEquals("blocked", decision(blocked), blocked.toString());
            assertEquals("ci-bot", blocked.path("api_key").path("name").asText(), blocked.toString());
            assertTrue(blocked.path("hostguard").path("allow_entry").isMissingNode(), blocked.toString());

            // the reporter's key has its own action, log: its command runs, with an event saying why
            Path logged = block.marker("reporter");
            HttpTestClient.Response reporterExec = exec(block, reporter, "touch " + logged).send();
            JsonNode loggedEvent = events.await("the reporter's command",
                    byKey(EventLog.hasProcessArg(logged.toString()), reporter));
            assertEquals(200, reporterExec.status(), reporterExec.toString());
            assertTrue(Files.exists(logged), "the reporter's command ran: " + logged);
            assertEquals("logged", decision(loggedEvent), loggedEvent.toString());
            assertEquals("auth.keys.reporter", loggedEvent.path("hostguard").path("key_action").asText(),
                    loggedEvent.toString());

            // the CI bot's key and the backup job's (their class's action, block): the same command, refused
            for (String key : new String[] {ciBot, backupJob}) {
                Path refused = block.marker("refused-" + Secrets.fingerprint(key));
                HttpTestClient.Response refusedExec = exec(block, key, "touch " + refused).send();
                JsonNode refusedEvent = events.await("the command of " + Secrets.fingerprint(key),
                        byKey(EventLog.hasProcessArg(refused.toString()), key));
                assertEquals(403, refusedExec.status(), refusedExec.toString());
                assertFalse(Files.exists(refused), "refused, yet it ran: " + refused);
                assertEquals("blocked", decision(refusedEvent), refusedEvent.toString());
                assertTrue(refusedEvent.path("hostguard").path("key_action").isMissingNode(), refusedEvent.toString());
            }

            // hot reload: the entry moves from the backup job's key to the CI bot's (an editor's save, renamed over)
            before = events.count();
            Path edited = dir.resolve(".policy.yaml.swp");
            Files.writeString(edited, policy.replace("key: backup-job", "key: ci-bot"), StandardCharsets.UTF_8);
            Files.move(edited, policyFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            events.awaitSince(before, "policy-reloaded",
                    e -> e.path("event").path("action").asText().equals("policy-reloaded"), RELOAD_WAIT);
            HttpTestClient.Response ciBotBackup = backup(block, ciBot).send();
            JsonNode allowedNow = events.awaitSince(before, "the CI bot's tar after the reload",
                    byKey(archiveTar(archive), ciBot));
            assertEquals(200, ciBotBackup.status(), "the CI bot's backup after the reload: " + ciBotBackup);
            assertEquals("allowed", decision(allowedNow), allowedNow.toString());
            assertTrue(Files.size(archive) > 0, "the CI bot's backup ran: " + archive);
            Files.delete(archive);
            int afterCiBot = events.count();
            HttpTestClient.Response backupJobNow = backup(block, backupJob).send();
            JsonNode refusedNow = events.awaitSince(afterCiBot, "the backup job's tar after the reload",
                    byKey(archiveTar(archive), backupJob));
            assertEquals(403, backupJobNow.status(), "the backup job's backup after the reload: " + backupJobNow);
            assertEquals("blocked", decision(refusedNow), refusedNow.toString());
            assertFalse(Files.exists(archive), "refused, yet the archive was written: " + archive);

            for (String key : new String[] {backupJob, ciBot, reporter}) {
                assertFalse(events.rawText().contains(key), "a raw API key is in the events");
            }
        }

        // learn --per-key: one entry per key and operation, which check accepts
        ServiceProcess.Exit learned = AgentCli.run(TEST, jdk, "learn", "--per-key", eventsFile.toString());
        assertEquals(0, learned.code(), AgentCli.text(learned.stderr()));
        String yaml = AgentCli.text(learned.stdout()) + "\n";
        assertTrue(yaml.contains("    backup-job: \"" + Secrets.fingerprint(backupJob) + "\""), yaml);
        assertTrue(yaml.contains("    ci-bot: \"" + Secrets.fingerprint(ciBot) + "\""), yaml);
        assertTrue(yaml.contains("    route: \"POST /admin/backup\"\n    auth: [\"api-key\"]\n    key: \"backup-job\"\n"),
                yaml);
        assertTrue(yaml.contains("    route: \"POST /admin/backup\"\n    auth: [\"api-key\"]\n    key: \"ci-bot\"\n"),
                yaml);
        Path learnedFile = Files.writeString(dir.resolve("learned.yaml"), yaml, StandardCharsets.UTF_8);
        ServiceProcess.Exit check = AgentCli.run(TEST, jdk, "check", learnedFile.toString());
        assertEquals(0, check.code(), AgentCli.text(check.stdout()) + AgentCli.text(check.stderr()));
        assertTrue(AgentCli.text(check.stdout()).contains(", key backup-job (" + Secrets.fingerprint(backupJob) + ")"),
                AgentCli.text(check.stdout()));
    }

    /** The archive's {@code tar}, not the {@code sh} a {@code compress=} would make. */
    private static Predicate<JsonNode> archiveTar(Path archive) {
        return EventLog.hasProcessArg(archive.toString());
    }

    private static Predicate<JsonNode> byKey(Predicate<JsonNode> match, String key) {
        return match.and(e -> e.path("api_key").path("fingerprint").asText().equals(Secrets.fingerprint(key)));
    }

    private static String decision(JsonNode event) {
        return event.path("hostguard").path("decision").asText();
    }

    private static HttpTestClient.Get backup(GuardedService service, String key) {
        return HttpTestClient.get(service.process().baseUri(), "/admin/backup").post().apiKey(key);
    }

    private static HttpTestClient.Get exec(GuardedService service, String key, String command) {
        return service.exec(GuardedServer.DEMO.area(Credentials.API_KEY) + "/exec", "process-builder", command)
                .apiKey(key);
    }
}
