package dev.hostguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy file ({@code policy=<file>}) in a real demo JVM with the shaded agent: an allow entry lets exactly
 * one command run on one route while a shell on the same route stays blocked; a custom block response; an invalid
 * file stops the JVM at start-up with line and column; and the file is watched: a valid change takes effect (a
 * {@code policy-reloaded} event with the file's hash), an invalid one is refused and the old policy stays.
 *
 * <p>On the build's JDK only: the policy is plain Java, the JDK-facing hooks are covered on every JDK elsewhere.
 */
class PolicyIT {
    private static final String TEST = PolicyIT.class.getSimpleName();
    private static final Duration RELOAD_WAIT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private final Jdks.Jdk jdk = Jdks.all().get(0);

    /** Allows {@code touch <markers>/allowed-*} on {@code GET /admin/exec} for API-key requests, nothing else. */
    private static String allowTouch(String mode, Path markers) {
        return """
                mode: %s
                allow:
                  - operation: process-start
                    executable: touch
                    args: ["%s/allowed-*"]
                    route: "GET /admin/exec"
                    auth: [api-key]
                    reason: the demo's one legitimate command
                response:
                  status: 451
                  content-type: text/plain
                  body: "refused by ${rule} (${event_id})"
                """.formatted(mode, markers);
    }

    private GuardedService start(Path dir, Path policy, String expectedModeLine) {
        return start(dir, policy, expectedModeLine, UnaryOperator.identity());
    }

    private GuardedService start(Path dir, Path policy, String expectedModeLine,
                                 UnaryOperator<ServiceProcess.Builder> customize) {
        return GuardedService.start(TEST, GuardedServer.DEMO, jdk, "block", dir, b -> customize.apply(b
                .agent(BuiltArtifacts.agentJar(), "policy=" + policy + ",events=" + dir.resolve("events.jsonl"))
                .requireLine(Pattern.compile(Pattern.quote(expectedModeLine)))
                .allowAgentProblem(Pattern.compile("policy file .* is invalid"))));
    }

    private static HttpTestClient.Response exec(GuardedService service, String cmd) {
        return service.exec(Credentials.API_KEY, "process-builder", cmd).send();
    }

    @Test
    void anAllowEntryLetsOneCommandRunOnItsRouteAndNothingElse() throws IOException {
        Path dir = tmp.resolve("allow");
        Path policy = tmp.resolve("policy.yaml");
        Files.writeString(policy, allowTouch("block", dir.resolve("markers")));
        try (GuardedService service = start(dir, policy, "active: mode=block (policy file)")) {
            Path allowed = service.marker("allowed-1");
            int before = service.events().count();
            HttpTestClient.Response ran = exec(service, "touch " + allowed);
            ProcessStartEvent.assertRan(ran);
            assertTrue(Files.exists(allowed), "the allowed command must run: " + allowed);
            JsonNode event = service.events().awaitSince(before, "allowed touch", EventLog.hasProcessArg(allowed.toString()));
            assertEquals("allowed", event.path("hostguard").path("decision").asText(), event.toString());
            assertEquals("the demo's one legitimate command", event.path("hostguard").path("reason").asText());
            assertEquals(1, event.path("hostguard").path("allow_entry").asInt());
            assertEquals("success", event.path("event").path("outcome").asText());

            // the same route, a shell: blocked, with the policy's own response
            Path shellMarker = service.marker("allowed-2");
            before = service.events().count();
            HttpTestClient.Response shell = exec(service, "sh -c touch${IFS}" + shellMarker);
            assertBlockedWithCustomResponse(service, shell, shellMarker, before);

            // the allowed executable with an argument outside its glob: blocked
            Path other = service.marker("other");
            before = service.events().count();
            assertBlockedWithCustomResponse(service, exec(service, "touch " + other), other, before);
            GuardAssertions.assertKeyNotLeaked(service);
        }
    }

    private static void assertBlockedWithCustomResponse(GuardedService service, HttpTestClient.Response response,
                                                        Path marker, int before) {
        assertFalse(Files.exists(marker), "blocked, yet the command ran: " + marker);
        // a shell's argument holds the marker inside its script: matched by mention, not as a whole argument
        JsonNode event = service.events().awaitSince(before, "blocked " + marker, EventLog.mentions(marker.toString()));
        assertEquals("blocked", event.path("hostguard").path("decision").asText(), event.toString());
        assertEquals(451, response.status(), response.toString());
        assertEquals("text/plain", response.headers().firstValue("Content-Type").orElse("").replaceAll(";.*", ""));
        assertEquals("refused by process-start (" + event.path("event").path("id").asText() + ")", response.body());
        assertFalse(Files.exists(marker), "blocked, yet the command ran: " + marker);
    }

    @Test
    void anInvalidPolicyStopsTheJvmWithLineAndColumn() throws IOException {
        Path policy = tmp.resolve("bad.yaml");
        Files.writeString(policy, "version: 1\nmode: block\nallow:\n  - operation: process-start\n"
                + "    executable: touch\n    reasn: typo\n");
        ServiceProcess.Builder command = GuardedServer.DEMO.command(TEST, jdk, Secrets.fresh())
                .label(TEST + " invalid policy")
                .agent(BuiltArtifacts.agentJar(), "policy=" + policy)
                .workingDirectory(tmp);
        try (ServiceProcess jvm = command.launch()) {
            ServiceProcess.Exit exit = jvm.awaitExit(Duration.ofSeconds(60));
            String output = "\nstdout:\n  " + String.join("\n  ", exit.stdout()) + "\nstderr:\n  "
                    + String.join("\n  ", exit.stderr());
            assertEquals(2, exit.code(), "exit status 2, as for a bad option" + output);
            assertTrue(exit.stdout().stream().noneMatch(l -> ServiceProcess.LISTENING.matcher(l).find()),
                    "the demo served" + output);
            List<String> errorLines = exit.stderr().stream().filter(l -> l.startsWith("hostguard:")).toList();
            assertEquals(List.of("hostguard: invalid policy file " + policy + " (2 problems); refusing to start"),
                    errorLines, output);
            assertTrue(exit.stderr().contains("  " + policy + ":4:5: an allow entry needs a 'reason' (it appears in"
                    + " every event the entry allows)"), output);
            assertTrue(exit.stderr().contains("  " + policy + ":6:5: unknown key 'reasn' in an allow entry; did you"
                    + " mean 'reason'? (expected one of: operation, executable, args, path, access, endpoint, route,"
                    + " auth, key, caller, reason, command, diagnostic, signal)"), output);
        }
    }

    @Test
    void aChangedPolicyTakesEffectAndAnInvalidOneIsRefused() throws Exception {
        Path dir = tmp.resolve("reload");
        Path markers = dir.resolve("markers");
        Path policy = tmp.resolve("watched.yaml");
        Files.writeString(policy, "mode: audit\n");
        try (GuardedService service = start(dir, policy, "active: mode=audit (policy file)")) {
            Path audited = service.marker("audited");
            ProcessStartEvent.assertRan(exec(service, "touch " + audited));
            assertTrue(Files.exists(audited), "audit mode lets it run");

            // an editor's save: a new file renamed over the old one
            int before = service.events().count();
            String blocking = allowTouch("block", markers);
            Path edited = tmp.resolve(".watched.yaml.swp");
            Files.writeString(edited, blocking);
            Files.move(edited, policy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            JsonNode reloaded = service.events().awaitSince(before, "policy-reloaded",
                    e -> e.path("event").path("action").asText().equals("policy-reloaded"), RELOAD_WAIT);
            assertEquals(sha256(blocking), reloaded.path("hostguard").path("policy").path("sha256").asText());
            assertEquals("block", reloaded.path("hostguard").path("mode").asText());
            assertEquals(policy.toString(), reloaded.path("hostguard").path("policy").path("path").asText());

            Path allowed = service.marker("allowed-after-reload");
            ProcessStartEvent.assertRan(exec(service, "touch " + allowed));
            assertTrue(Files.exists(allowed), "the new allow entry is in force");
            Path shell = service.marker("shell-after-reload");
            before = service.events().count();
            assertBlockedWithCustomResponse(service, exec(service, "sh -c touch${IFS}" + shell), shell, before);

            // an invalid change: refused with its error, the policy in force stays
            before = service.events().count();
            Files.writeString(policy, blocking.replace("mode: block", "mode: blocking"));
            JsonNode error = service.events().awaitSince(before, "policy-error",
                    e -> e.path("event").path("action").asText().equals("policy-error"), RELOAD_WAIT);
            assertEquals("failure", error.path("event").path("outcome").asText());
            assertEquals(policy + ":1:7: bad value 'blocking' for mode; expected audit, block, off; did you mean"
                    + " 'block'?", error.path("error").path("message").asText());
            Path stillBlocked = service.marker("shell-after-error");
            before = service.events().count();
            assertBlockedWithCustomResponse(service, exec(service, "sh -c touch${IFS}" + stillBlocked), stillBlocked,
                    before);
            assertTrue(service.process().logText().contains("policy file " + policy + " changed but is invalid"),
                    "the refusal is in the agent's log too");
        }
    }

    /**
     * {@code outside-request: block}: a logged-in user's request runs its command on a pool worker (its hand-over
     * works for the user: no event); the demo's boot thread then submits {@code true} to that worker outside any
     * request (its {@code POOL_TICK_MS} tick, an entry point HostGuard does not recognise): judged as outside any
     * request, refused, with an event that names no request.
     */
    @Test
    void outsideRequestsAreJudgedWhenThePolicySaysSo() throws IOException {
        JsonNode event = userHandOverThenTick("outside", "mode: block\nauth:\n  outside-request: block\n",
                "hostguard-demo pool tick failed: .*");
        assertEquals("blocked", event.path("hostguard").path("decision").asText(), event.toString());
    }

    /**
     * No {@code outside-request} in the policy (the default), block mode: the same as above, and the tick's
     * {@code true}, outside any request once the service has served one, is logged, never refused: the audit trail
     * shows what such work does, and block mode breaks nothing it did not break before. A logged-in user's work
     * handed to the pool is the user's: no event. (The boot command, before any request, is not logged:
     * {@code ProcessStartMatrixIT}.)
     */
    @Test
    void byDefaultAProcessStartOutsideRequestsIsLoggedOnceRequestsAreServed() throws IOException {
        JsonNode event = userHandOverThenTick("outside-default", "mode: block\n",
                "hostguard-demo pool tick exit=0 on .*");
        assertEquals("logged", event.path("hostguard").path("decision").asText(), event.toString());
    }

    /**
     * Runs the demo (block mode, {@code policyYaml}, a pool tick every 100 ms), has a logged-in user run
     * {@code touch} through the pool (it runs: no event), waits for a tick line matching {@code tickLine} and returns
     * the tick's event: outside any request, no url.
     */
    private JsonNode userHandOverThenTick(String name, String policyYaml, String tickLine) throws IOException {
        Path dir = tmp.resolve(name);
        Path policy = tmp.resolve(name + ".yaml");
        Files.writeString(policy, policyYaml);
        try (GuardedService service = start(dir, policy, "active: mode=block (policy file)",
                b -> b.env("POOL_TICK_MS", "100"))) {
            Path handed = service.marker("user-pool-" + name);
            int before = service.events().count();
            int from = service.process().lines().size();
            HttpTestClient.Response response = service.exec(Credentials.USER_LOGIN, "pool", "touch " + handed).send();
            ProcessStartEvent.assertRan(response);
            assertTrue(Files.exists(handed), "the user's handed-over command ran: " + response);
            java.util.regex.Matcher tick = service.process().awaitLine(Pattern.compile(tickLine), from,
                    Duration.ofSeconds(15));
            assertTrue(tick != null, () -> "no tick line " + tickLine + ":\n" + service.process().tail());
            JsonNode event = service.events().awaitSince(before, "the tick's true, outside any request",
                    e -> e.path("process").path("args").toString().equals("[\"true\"]"));
            assertEquals("outside-request", event.path("hostguard").path("auth").asText(), event.toString());
            assertEquals("outside-request", event.path("hostguard").path("context").asText(), event.toString());
            assertEquals("block", event.path("hostguard").path("mode").asText(), event.toString());
            assertTrue(event.path("url").isMissingNode(), "no request, no url: " + event);
            assertTrue(service.events().since(before).stream().noneMatch(EventLog.mentions(handed.toString())),
                    "the user's handed-over work is the user's: no event names it");
            return event;
        }
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
