package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * HostGuard's own files and other processes' command lines against a real demo JVM with the shaded agent, on every
 * JDK, in audit and block mode, inside API-key and anonymous requests: truncating or appending to the events file is
 * refused in both modes (the file still holds every event, checked in the file); rewriting the policy to allow
 * everything is refused, and a rewrite the policy itself lets through (an allow entry on one route) is not put in
 * force at the reload (a {@code policy-tampered} event; a later process start in an API-key request is still a
 * finding, refused in block mode); {@code ProcessHandle.info()} of another process and of the service itself is
 * judged as {@code proc-cmdline} (refused in block mode: the answer carries no command line) and a signal through
 * {@code ProcessHandle.destroy()} as {@code process-signal}; a user's requests are untouched.
 */
class SelfProtectionIT {
    private static final String TEST = SelfProtectionIT.class.getSimpleName();
    private static final List<Credentials> GUARDED = List.of(Credentials.API_KEY, Credentials.NONE);
    /** What an attacker writes into the policy: every request free. */
    private static final String ALLOW_EVERYTHING = "auth:\n  api-key: allow\n  none: allow\n";
    /** The secret another process carries on its command line. */
    private static final String SECRET = "3600.0";

    @TempDir
    static Path tmp;

    @TestFactory
    Stream<DynamicNode> ownFilesAndOtherProcesses() {
        return Jdks.all().stream().flatMap(jdk -> Stream.of("audit", "block").map(mode -> {
            Path dir = tmp.resolve(jdk.label() + "-" + mode);
            String at = "[" + jdk.label() + " demo " + mode + "] ";
            return dynamicContainer(at, List.of(dynamicTest(at + "events file, policy file, ProcessHandle info and"
                    + " signals in API-key, anonymous and user requests", () -> run(jdk, mode, dir))));
        }));
    }

    private static void run(Jdks.Jdk jdk, String mode, Path dir) throws Exception {
        Path policy = dir.resolve("policy/policy.yaml");
        // the operator's allow entry lets API-key requests on /admin/exec (only) write the policy file
        String yaml = GuardedService.UNLIMITED_EVENTS_POLICY + """
                allow:
                  - operation: file-open
                    path: "%s"
                    access: [write]
                    route: "GET /admin/exec"
                    auth: [api-key]
                    reason: a test of the tamper check (never do this)
                """.formatted(policy);
        Process other = new ProcessBuilder("sleep", SECRET).start(); // someone else's process, with a "secret"
        java.util.function.UnaryOperator<ServiceProcess.Builder> withPolicy = GuardedService.withPolicy(policy, yaml);
        try (GuardedService service = GuardedService.start(TEST, GuardedServer.DEMO, jdk, mode, dir, b -> withPolicy
                .apply(b).allowAgentProblem(java.util.regex.Pattern.compile(
                        "policy file .* changed after a guarded request \\(api-key\\) wrote")))) {
            boolean blocking = service.blocking();
            Path events = service.events().file();
            for (Credentials credentials : GUARDED) {
                eventsFile(service, credentials, events);
                policyRewriteRefused(service, credentials, policy);
                for (long pid : new long[] {service.pid(), other.pid()}) {
                    processInfo(service, credentials, pid, pid == other.pid());
                }
                processSignal(service, credentials, blocking);
            }
            userUntouched(service, other.pid());
            tamper(service, policy);
        } finally {
            other.destroyForcibly();
        }
    }

    /** Truncation and append, java.io and NIO: refused in both modes, and every event stays in the file. */
    private static void eventsFile(GuardedService service, Credentials credentials, Path events) throws IOException {
        for (String api : List.of("file-output-stream", "files-write", "random-access-write", "file-channel-write")) {
            List<String> before = Files.readAllLines(events);
            HttpTestClient.Response response = service.file(credentials, api, events.toString())
                    .query("data", "{\"forged\":true}").send();
            String what = credentials + " " + api + " of the events file in " + service.mode();
            assertEquals(403, response.status(), what + ": " + response);
            JsonNode event = service.events().awaitSince(before.size(), what, e -> "hostguard-files".equals(
                    e.path("hostguard").path("rule").asText()));
            assertEquals("blocked", event.path("hostguard").path("decision").asText(), what + ": " + event);
            assertEquals(service.mode(), event.path("hostguard").path("mode").asText());
            assertEquals(events.toString(), event.path("file").path("path").asText());
            assertEquals("write", event.path("hostguard").path("access").asText());
            assertEquals(credentials.authClass(), event.path("hostguard").path("auth").asText());
            List<String> after = Files.readAllLines(events);
            assertEquals(before, after.subList(0, before.size()), what + ": every earlier event is still there");
            assertEquals(before.size() + 1, after.size(), what + ": and the refusal's own, nothing forged");
        }
        // a rotation's name, and a symlink to the file
        Path link = service.dir().resolve("innocent-" + credentials.authClass() + ".log");
        Files.createSymbolicLink(link, events);
        for (String path : List.of(events + ".1", link.toString())) {
            int before = service.events().count();
            HttpTestClient.Response response = service.file(credentials, "file-output-stream", path).send();
            assertEquals(403, response.status(), path + ": " + response);
            service.events().awaitSince(before, path, e -> "hostguard-files".equals(
                    e.path("hostguard").path("rule").asText()));
        }
        assertFalse(Files.exists(Path.of(events + ".1")));
    }

    private static void policyRewriteRefused(GuardedService service, Credentials credentials, Path policy)
            throws IOException {
        byte[] original = Files.readAllBytes(policy);
        int before = service.events().count();
        HttpTestClient.Response response = service.file(credentials, "files-write", policy.toString())
                .query("data", ALLOW_EVERYTHING).send();
        assertEquals(403, response.status(), credentials + " policy rewrite: " + response);
        JsonNode event = service.events().awaitSince(before, "the policy rewrite", e -> "hostguard-files".equals(
                e.path("hostguard").path("rule").asText()));
        assertEquals(policy.toString(), event.path("file").path("path").asText());
        assertArrayEquals(original, Files.readAllBytes(policy), "the policy file is unchanged");
    }

    /** ProcessHandle.of(pid).info(): block answers no command line; audit logs it. */
    private static void processInfo(GuardedService service, Credentials credentials, long pid, boolean other) {
        int before = service.events().count();
        HttpTestClient.Response response = service.withCredentials(service.exec(
                service.server().route(credentials), "process-info", "-").query("pid", Long.toString(pid)),
                credentials).send();
        String what = credentials + " info of " + (other ? "another process" : "the service") + " in "
                + service.mode();
        JsonNode event = service.events().awaitSince(before, what, e -> "proc-cmdline".equals(
                e.path("hostguard").path("rule").asText()));
        assertEquals("/proc/" + pid + "/cmdline", event.path("file").path("path").asText(), what);
        assertEquals(service.blocking() ? "blocked" : "logged", event.path("hostguard").path("decision").asText());
        if (service.blocking()) {
            assertEquals(403, response.status(), what + ": " + response);
            assertFalse(response.body().contains(other ? SECRET : "-javaagent"), what + ": " + response);
        } else {
            assertEquals(200, response.status(), what + ": " + response);
            assertTrue(response.body().contains(other ? "sleep " + SECRET : "-javaagent"), what + ": " + response);
        }
    }

    private static void processSignal(GuardedService service, Credentials credentials, boolean blocking)
            throws Exception {
        Process victim = new ProcessBuilder("sleep", "3601").start();
        try {
            int before = service.events().count();
            HttpTestClient.Response response = service.withCredentials(service.exec(
                    service.server().route(credentials), "process-signal", "-")
                    .query("pid", Long.toString(victim.pid())), credentials).send();
            String what = credentials + " destroy of another process in " + service.mode();
            JsonNode event = service.events().awaitSince(before, what, e -> "process-signal".equals(
                    e.path("hostguard").path("rule").asText()));
            assertEquals(victim.pid(), event.path("process").path("pid").asLong());
            assertEquals("SIGTERM", event.path("hostguard").path("signal").asText());
            assertEquals(blocking ? 403 : 200, response.status(), what + ": " + response);
            assertEquals(blocking, !victim.waitFor(blocking ? 300 : 10_000, TimeUnit.MILLISECONDS),
                    what + ": alive after a refusal only");
        } finally {
            victim.destroyForcibly();
        }
    }

    private static void userUntouched(GuardedService service, long otherPid) throws Exception {
        int before = service.events().count();
        HttpTestClient.Response info = service.withCredentials(service.exec(
                service.server().route(Credentials.USER_LOGIN), "process-info", "-")
                .query("pid", Long.toString(otherPid)), Credentials.USER_LOGIN).send();
        assertEquals(200, info.status(), info.toString());
        assertTrue(info.body().contains("sleep " + SECRET), info.toString());
        Path rotation = Path.of(service.events().file() + ".2");
        HttpTestClient.Response write = service.file(Credentials.USER_LOGIN, "files-write", rotation.toString())
                .query("data", "a user's").send();
        assertEquals(200, write.status(), write.toString());
        assertTrue(Files.exists(rotation), "a user's write runs");
        Process victim = new ProcessBuilder("sleep", "3602").start();
        HttpTestClient.Response signal = service.withCredentials(service.exec(
                service.server().route(Credentials.USER_LOGIN), "process-signal", "-")
                .query("pid", Long.toString(victim.pid())), Credentials.USER_LOGIN).send();
        assertEquals("sent=true", signal.body(), signal.toString());
        assertTrue(victim.waitFor(10, TimeUnit.SECONDS), "a user's signal is sent");
        assertEquals(before, service.events().count(), "no event for a user's requests: "
                + EventLog.describe(service.events().since(before)));
    }

    /**
     * The allow entry lets the API-key exec route write the policy file: the write goes through in either mode,
     * but the reload refuses it with a policy-tampered event, and the old policy stays in force.
     */
    private static void tamper(GuardedService service, Path policy) throws Exception {
        int before = service.events().count();
        HttpTestClient.Response response = service.withCredentials(service.exec(
                service.server().route(Credentials.API_KEY), "files-write", "-")
                .query("path", policy.toString()).query("data", ALLOW_EVERYTHING), Credentials.API_KEY).send();
        assertEquals(200, response.status(), "the allow entry lets it write: " + response);
        assertEquals(ALLOW_EVERYTHING, Files.readString(policy));
        JsonNode tampered = service.events().awaitSince(before, "policy-tampered",
                e -> "policy-tampered".equals(e.path("event").path("action").asText()), Duration.ofSeconds(30));
        assertEquals("alert", tampered.path("event").path("kind").asText(), tampered.toString());
        assertEquals(policy.toString(), tampered.path("file").path("path").asText());
        assertEquals("api-key", tampered.path("hostguard").path("auth").asText());
        assertEquals("/admin/exec", tampered.path("url").path("path").asText());
        // the old policy is in force: a key holder's process start is still a finding
        Path marker = service.marker("after-tamper");
        int beforeExec = service.events().count();
        HttpTestClient.Response exec = service.exec(Credentials.API_KEY, "process-builder", "touch " + marker).send();
        JsonNode event = service.events().awaitSince(beforeExec, "the exec after the tamper",
                EventLog.hasProcessArg(marker.toString()));
        assertEquals(service.blocking() ? "blocked" : "logged", event.path("hostguard").path("decision").asText());
        assertEquals(service.blocking() ? 403 : 200, exec.status(), exec.toString());
        assertEquals(!service.blocking(), Files.exists(marker));
        List<String> actions = new ArrayList<>();
        for (JsonNode e : service.events().events()) {
            actions.add(e.path("event").path("action").asText());
        }
        assertFalse(actions.contains("policy-reloaded"), "never reloaded: " + actions);
    }
}
