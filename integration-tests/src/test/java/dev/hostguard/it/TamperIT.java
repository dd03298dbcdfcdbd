package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Self-protection (issue 14) against a real service with the shaded agent, on every JDK: the Undertow test app's
 * injection-style route ({@code /<area>/tamper?family=&class=&field=&cmd=}, test-apps/host-operations
 * {@code Tampering}) evaluates a request parameter into an attempt to switch HostGuard off, then starts a process.
 * <ul>
 *   <li>In an API-key request, each family reflection can reach (setAccessible, trySetAccessible, the array form,
 *       the facade's thread-local, a private lookup, {@code sun.misc.Unsafe} offsets, the facade's methods out of
 *       turn) is refused and leaves one {@code tamper} event naming it and the request; in block mode the request is
 *       refused (403) and the process never runs (marker absent), in audit mode it runs and is logged. Writes to
 *       HostGuard's MBeans ({@code metrics=jmx}) are refused the same way (the VM option set through JMX is the
 *       jvm-diagnostics rule's). HostGuard's system properties change nothing of it (it reads none after start):
 *       the self-check finds them changed within its period, puts them back and writes a {@code tamper} event
 *       ({@code decision: detected}).</li>
 *   <li>After every family, a plain process start in an API-key request is still judged; a user's request still
 *       runs (its attempt refused, the request not), and the app's reflection into its own class works.</li>
 *   <li>With {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} (what HostGuard cannot refuse: a write
 *       through the JDK's internal {@code Unsafe}), the write of {@code Hooks.handler} goes through and that request's
 *       process runs; the self-check (its own thread: no policy file here) reports it ({@code tamper},
 *       {@code decision: detected}) within its period (1 s) and puts the handler back: the next API-key process
 *       start is refused again. The families above run with a policy file, the self-check on the watcher's ticks.</li>
 * </ul>
 */
class TamperIT {
    private static final String TEST = TamperIT.class.getSimpleName();
    private static final GuardedServer SERVER = GuardedServer.UNDERTOW;
    private static final String HOOKS = "dev.hostguard.agent.bootstrap.Hooks";
    /** The self-check's period (SelfCheck.PERIOD), and what a check and an event write may add to it. */
    private static final Duration PERIOD = Duration.ofSeconds(1);
    private static final Duration SLACK = Duration.ofMillis(1500);

    /** One attempt: the family, its class and field, and the tamper event it leaves (null: none of its own). */
    private record Attempt(String family, String className, String field, String eventFamily, String eventTarget) {
        String label() {
            return family + " " + className.substring(className.lastIndexOf('.') + 1) + "." + field;
        }

        /** Not refused where it is made (it changes nothing of HostGuard's) but found by the self-check. */
        boolean detectedLater() {
            return "system-properties".equals(family);
        }
    }

    private static final List<Attempt> ATTEMPTS = List.of(
            new Attempt("set-accessible", HOOKS, "handler", "set-accessible", HOOKS),
            new Attempt("set-accessible", "dev.hostguard.agent.Guard", "active", "set-accessible",
                    "dev.hostguard.agent.Guard"),
            new Attempt("try-set-accessible", HOOKS, "outsideRequests", "set-accessible", HOOKS),
            new Attempt("accessible-array", HOOKS, "installing", "set-accessible", HOOKS),
            new Attempt("thread-local", HOOKS, "SCOPE", "set-accessible", HOOKS),
            new Attempt("thread-local", "java.lang.Thread", "inheritableThreadLocals", "set-accessible",
                    "java.lang.Thread.inheritableThreadLocals"),
            new Attempt("private-lookup", HOOKS, "handler", "private-lookup", HOOKS),
            new Attempt("unsafe-offset", HOOKS, "handler", "unsafe-offset", HOOKS + ".handler"),
            new Attempt("facade-call", HOOKS, "-", "facade-call", "Hooks.judgeOutsideRequests"),
            new Attempt("forged-entry", HOOKS, "-", "facade-call", "Hooks.requestEnter"),
            new Attempt("system-properties", HOOKS, "-", "system-properties", "hostguard.mode"),
            new Attempt("jmx", HOOKS, "-", "jmx", "dev.hostguard:type="));

    @TempDir
    static Path tmp;

    @TestFactory
    Stream<DynamicNode> tamper() {
        return Jdks.all().stream().flatMap(jdk -> Stream.of(
                dynamicContainer("[" + jdk.label() + " block] ", List.of(dynamicTest("[" + jdk.label()
                        + " block] every family in API-key requests: refused, tamper events, 403, markers absent;"
                        + " later requests judged; a user's go on", () -> families(jdk, "block")))),
                dynamicContainer("[" + jdk.label() + " audit] ", List.of(dynamicTest("[" + jdk.label()
                        + " audit] every family in API-key requests: refused, tamper events, the process logged",
                        () -> families(jdk, "audit")))),
                dynamicContainer("[" + jdk.label() + " unsafe] ", List.of(dynamicTest("[" + jdk.label()
                        + " block, --add-exports jdk.internal.misc] an internal-Unsafe write of Hooks.handler:"
                        + " detected within the period and put back", () -> unsafeWrite(jdk))))));
    }

    private static void families(Jdks.Jdk jdk, String mode) throws Exception {
        Path dir = tmp.resolve(jdk.label() + "-" + mode);
        try (GuardedService service = GuardedService.start(TEST, SERVER, jdk, mode, dir,
                b -> GuardedService.withPolicy(dir.resolve("policy.yaml"), GuardedService.UNLIMITED_EVENTS_POLICY)
                        .apply(b).addAgentOption("metrics=jmx"))) {
            boolean blocking = service.blocking();
            for (Attempt attempt : ATTEMPTS) {
                Path marker = service.marker("key-" + attempt.label());
                int before = service.events().count();
                HttpTestClient.Response response = tamper(service, Credentials.API_KEY, attempt, marker);
                String what = attempt.label() + " in an API-key request, " + mode + ": " + response;
                assertEquals(blocking ? 403 : 200, response.status(), what);
                assertEquals(!blocking, Files.exists(marker), what + ": the process " + (blocking ? "never ran"
                        : "ran"));
                if (!blocking) {
                    assertTrue(response.body().startsWith("attempt=failed") || attempt.eventFamily() == null
                            || "facade-call".equals(attempt.eventFamily()) || attempt.detectedLater(),
                            what + ": the attempt itself failed");
                }
                JsonNode start = service.events().awaitSince(before, what + ": the process start judged",
                        EventLog.hasProcessArg(marker.toString()));
                assertEquals(blocking ? "blocked" : "logged", start.path("hostguard").path("decision").asText());
                if (attempt.detectedLater()) {
                    JsonNode event = tamperEvent(service, before, what, attempt);
                    assertEquals("detected", event.path("hostguard").path("decision").asText(), what);
                } else if (attempt.eventFamily() != null) {
                    JsonNode event = tamperEvent(service, before, what, attempt);
                    assertEquals(blocking ? "blocked" : "refused", event.path("hostguard").path("decision").asText(),
                            what);
                    assertEquals("api-key", event.path("hostguard").path("auth").asText(), what);
                    assertEquals("/key/tamper", event.path("url").path("path").asText(), what);
                    assertEquals("alert", event.path("event").path("kind").asText(), what);
                } else {
                    assertTrue(service.events().since(before).stream().noneMatch(isTamper()), what
                            + ": nothing of HostGuard's reached, no tamper event: "
                            + EventLog.describe(service.events().since(before)));
                }
                laterRequestsJudged(service, attempt);
            }
            usersGoOn(service);
            service.process().assertNoUnexpectedAgentProblems();
        }
    }

    private static void unsafeWrite(Jdks.Jdk jdk) throws Exception {
        Path dir = tmp.resolve(jdk.label() + "-unsafe");
        // no policy file, so no watcher: the self-check runs on its own thread (with a policy file, on the watcher's
        // ticks: the families above)
        try (GuardedService service = GuardedService.start(TEST, SERVER, jdk, "block", dir, b -> b
                .jvmArgs("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"))) {
            usersGoOn(service); // the first request served starts the self-check
            Attempt write = new Attempt("unsafe-write", HOOKS, "handler", "self-check", "Hooks.handler");
            Path marker = service.marker("key-unsafe-write");
            int before = service.events().count();
            HttpTestClient.Response response = tamper(service, Credentials.API_KEY, write, marker);
            Instant written = Instant.now();
            assertEquals(200, response.status(), "the write HostGuard cannot refuse went through: " + response);
            assertTrue(response.body().startsWith("attempt=done"), response.toString());
            assertTrue(Files.exists(marker), "that request's process ran unjudged (the detection delay)");
            JsonNode detected = service.events().awaitSince(before, "the self-check's find", isTamper()
                    .and(e -> "self-check".equals(e.path("hostguard").path("tamper").path("family").asText()))
                    .and(e -> "Hooks.handler".equals(e.path("hostguard").path("tamper").path("target").asText())),
                    PERIOD.plus(SLACK).plus(SLACK));
            assertEquals("detected", detected.path("hostguard").path("decision").asText());
            Duration delay = Duration.between(written, Instant.parse(detected.path("@timestamp").asText()));
            assertTrue(delay.compareTo(PERIOD.plus(SLACK)) <= 0, "found within the period: " + delay);
            laterRequestsJudged(service, write);
            service.process().assertNoUnexpectedAgentProblems();
        }
    }

    private static HttpTestClient.Response tamper(GuardedService service, Credentials credentials, Attempt attempt,
                                                  Path marker) {
        return service.withCredentials(HttpTestClient.get(service.process().baseUri(),
                        SERVER.area(credentials) + "/tamper")
                .query("family", attempt.family()).query("class", attempt.className())
                .query("field", attempt.field()).query("cmd", "touch " + marker), credentials).send();
    }

    private static Predicate<JsonNode> isTamper() {
        return e -> "tamper".equals(e.path("event").path("action").asText());
    }

    private static JsonNode tamperEvent(GuardedService service, int before, String what, Attempt attempt) {
        Predicate<JsonNode> named = isTamper()
                .and(e -> attempt.eventFamily().equals(e.path("hostguard").path("tamper").path("family").asText()))
                .and(e -> e.path("hostguard").path("tamper").path("target").asText().startsWith(attempt.eventTarget()));
        JsonNode event = service.events().awaitSince(before, what + ": the tamper event", named);
        assertEquals("self-protection", event.path("hostguard").path("rule").asText());
        return event;
    }

    /** A plain API-key process start after the attempt: judged as ever. */
    private static void laterRequestsJudged(GuardedService service, Attempt after) {
        Path marker = service.marker("later-" + after.label());
        int before = service.events().count();
        HttpTestClient.Response response = service.exec(Credentials.API_KEY, "exec-string", "touch " + marker).send();
        String what = "a process start in an API-key request after " + after.label() + ": " + response;
        assertEquals(service.blocking() ? 403 : 200, response.status(), what);
        assertEquals(!service.blocking(), Files.exists(marker), what);
        service.events().awaitSince(before, what, EventLog.hasProcessArg(marker.toString()));
    }

    /** A user's request: its attempt on HostGuard refused (the request not), its own reflection and process run. */
    private static void usersGoOn(GuardedService service) throws Exception {
        List<String> seen = new ArrayList<>();
        for (Attempt attempt : List.of(new Attempt("own-reflection", HOOKS, "-", null, null),
                new Attempt("set-accessible", HOOKS, "handler", "set-accessible", HOOKS))) {
            Path marker = service.marker("user-" + attempt.label());
            int before = service.events().count();
            HttpTestClient.Response response = tamper(service, Credentials.USER_LOGIN, attempt, marker);
            String what = attempt.label() + " in a user's request: " + response;
            assertEquals(200, response.status(), what);
            assertTrue(Files.exists(marker), what + ": the user's process ran");
            seen.add(response.body());
            if (attempt.eventFamily() == null) {
                assertTrue(response.body().startsWith("attempt=done own field changed"), what);
                assertTrue(service.events().since(before).isEmpty(), what + ": no event");
            } else {
                assertTrue(response.body().startsWith("attempt=failed java.lang.reflect.InaccessibleObjectException"),
                        what);
                JsonNode event = tamperEvent(service, before, what, attempt);
                assertEquals("refused", event.path("hostguard").path("decision").asText(), what);
                assertEquals("user", event.path("hostguard").path("auth").asText(), what);
            }
        }
        assertFalse(seen.isEmpty());
    }
}
