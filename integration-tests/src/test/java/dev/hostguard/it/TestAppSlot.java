package dev.hostguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostguard.it.FileShapes.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * The service slot of a test app of {@code test-apps/} (the Spring Boot apps, {@link GuardedServer#SPRING_BOOT3} and
 * {@link GuardedServer#SPRING_BOOT2}, the Micronaut app, {@link GuardedServer#MICRONAUT}, the Vert.x and
 * Quarkus apps, and any other framework's app that serves the same operations), with its Docker stand-in, and the
 * checks of the apps' host operations ({@code test-apps/host-operations}):
 * {@link #guarded} for a request the agent must log (audit) or refuse (block), {@link #untouched} for one it must
 * leave alone. Each check proves what happened on the host, not only what the client was told: the marker file, the
 * canary found in {@code /proc/self/environ} (the service runs with env {@code CANARY=<random>}), the stand-in's
 * record; and, for a request that must leave no event, that a later request's event is the only one since.
 */
final class TestAppSlot {
    /** The operations, {@code GET /<area>/<op>}. */
    enum Op {
        EXEC, ENVIRON, SOCKET, BENIGN;

        String path() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What the event of a guarded request must say about how it was authenticated.
     *
     * @param auth {@code hostguard.auth}
     * @param keyFingerprint {@code api_key.fingerprint}: null (absent), a fingerprint, or
     *     {@link RequestEventFields#ANY_KEY_FINGERPRINT}
     * @param reasonNames what {@code hostguard.auth_reason} must mention (the principal's type, say); null: only that
     *     it is there and not blank
     */
    record Expected(String auth, String keyFingerprint, String reasonNames) {
        void assertReason(JsonNode event) {
            JsonNode reason = event.path("hostguard").path("auth_reason");
            assertTrue(reason.isTextual() && !reason.asText().isBlank(),
                    () -> "hostguard.auth_reason is missing or blank (auth " + auth + "): " + event);
            if (reasonNames != null) {
                assertTrue(reason.asText().contains(reasonNames),
                        () -> "hostguard.auth_reason does not name " + reasonNames + ": " + event);
            }
        }
    }

    /** The header of every HS256 JWT ({@code {"alg":"HS256"}}, base64url): no token may reach events or logs. */
    static final String JWT_HEADER = "eyJhbGciOiJIUzI1NiJ9";

    private static final Pattern ENVIRON_READ = Pattern.compile("environ bytes=\\d+ canary=present");
    private static final Pattern BENIGN_READ = Pattern.compile("benign bytes=\\d+");

    private final ServiceSlot slot;
    private final DockerStandInProcess standIn;
    private final String canary = "canary-" + UUID.randomUUID().toString().replace("-", "");
    private int requests;
    /** Why the agent does not guard this service at all (its {@link #probe} failed), or null. */
    private volatile String unguarded;

    /**
     * @param withStandIn whether the service gets a Docker stand-in ({@code DOCKER_HOST}), which {@link Op#SOCKET}
     *     needs; a stand-in is its own JVM, so only the slots that connect get one
     * @param customize more changes to the command (a policy)
     */
    TestAppSlot(ServiceSlots slots, String testName, Jdks.Jdk jdk, GuardedServer server, String mode, Path dir,
                  boolean withStandIn, UnaryOperator<ServiceProcess.Builder> customize) {
        this.standIn = withStandIn ? new DockerStandInProcess(dir.resolve("stand-in")) : null;
        this.slot = slots.add(new ServiceSlot(testName, jdk, server, mode, dir, b -> {
            b.env("CANARY", canary);
            if (standIn != null) {
                b.env("DOCKER_HOST", standIn.dockerHost());
            }
            return customize.apply(b);
        }));
    }

    /** {@code "[jdk17 spring-boot3 block] "}. */
    String label() {
        return slot.label();
    }

    /** Starts the stand-in, if any, then the service; the stand-in stops after the service. */
    void start(String testName) throws IOException {
        if (standIn != null) {
            slot.onStop(standIn);
            standIn.start(testName, slot.jdk(), testName + " docker stand-in on " + slot.jdk().label() + " mode="
                    + slot.mode());
        }
        slot.start();
    }

    /** The running service, or the calling test is skipped saying why it is not running. */
    GuardedService service() {
        return slot.require();
    }

    /**
     * Stops the service (no agent WARN/ERROR line, the service key nowhere) and its stand-in; neither the canary
     * (environment content) nor a bearer token nor the user's password reached the events or the service's log.
     */
    void stop() throws Exception {
        GuardedService service = service();
        slot.stop();
        Map<String, String> secrets = Map.of("the canary (environment content)", canary, "a bearer token", JWT_HEADER,
                "the user's password", service.secrets().opsPassword());
        secrets.forEach((what, secret) -> {
            assertFalse(service.events().rawText().contains(secret), what + " is in the events file");
            assertFalse(service.process().logText().contains(secret), what + " is in the service's log");
        });
    }

    /**
     * {@code GET <area>/<op>} with {@code credentials}, a request the agent must judge ({@code exec},
     * {@code environ}, {@code socket}): in block mode refused (the operation did not happen; one {@code blocked}
     * event; the agent's 403 naming it), in audit mode run (it happened; one {@code logged} event). The event's
     * request fields as {@code expected} says.
     *
     * @return the event
     */
    JsonNode guarded(String area, Op op, UnaryOperator<HttpTestClient.Get> credentials, Expected expected)
            throws IOException {
        requireGuarded();
        GuardedService service = service();
        EventLog events = service.events();
        String route = area + "/" + op.path();
        boolean blocking = service.blocking();
        String appPackage = service.server().appPackage();
        int before = events.count();
        JsonNode event;
        switch (op) {
            case EXEC -> {
                Path marker = service.marker(name(area, op));
                HttpTestClient.Response response = credentials.apply(
                        service.exec(route, "process-builder", "touch " + marker)).send();
                ProcessStartEvent expectedEvent = new ProcessStartEvent(blocking, service.mode(), expected.auth(),
                        route, List.of("touch", marker.toString()), service.markers(), expected.keyFingerprint(),
                        appPackage);
                if (blocking) {
                    event = GuardAssertions.assertBlocked(service, response, marker, before, expectedEvent);
                } else {
                    ProcessStartEvent.assertRan(response);
                    assertTrue(Files.exists(marker), "audit mode, yet the command did not run: " + marker);
                    event = logged(events, before, route, EventLog.hasProcessArg(marker.toString()),
                            expectedEvent::assertMatches);
                }
            }
            case ENVIRON -> {
                HttpTestClient.Response response = credentials.apply(get(service, route)).send();
                FileAccessEvent expectedEvent = new FileAccessEvent(blocking, service.mode(), expected.auth(), route,
                        Kind.READ, "proc-environ",
                        List.of(Pattern.compile(Pattern.quote("/proc/" + service.pid() + "/environ"))),
                        "/proc/self/environ", service.workingDirectory(), true, expected.keyFingerprint(), appPackage);
                if (blocking) {
                    assertFalse(response.body().contains("environ bytes="),
                            () -> "blocked, yet /proc/self/environ was read: " + response);
                    event = refused(events, before, route, response, "proc-environ", expectedEvent.identifies(),
                            expectedEvent::assertMatches);
                } else {
                    assertEnvironRead(response);
                    event = logged(events, before, route, expectedEvent.identifies(), expectedEvent::assertMatches);
                }
            }
            case SOCKET -> {
                int recordedBefore = standIn().recorded().size();
                HttpTestClient.Response response = credentials.apply(get(service, route)).send();
                FileAccessEvent expectedEvent = new FileAccessEvent(blocking, service.mode(), expected.auth(), route,
                        Kind.CONNECT, "runtime-socket", List.of(Pattern.compile(Pattern.quote(
                                standIn.socket().getParent().toRealPath().resolve("docker.sock").toString()))),
                        standIn.socket().toString(), service.workingDirectory(), true, expected.keyFingerprint(),
                        appPackage);
                if (blocking) {
                    // host side first: a later allowed connect is recorded, and nothing before it
                    HttpTestClient.Response followUp = service.withCredentials(
                            get(service, service.server().area(Credentials.USER_LOGIN) + "/socket"),
                            Credentials.USER_LOGIN).send();
                    assertEquals(200, followUp.status(), () -> "the logged-in follow-up connect failed: " + followUp);
                    List<String> since = standIn.recordedSince(recordedBefore);
                    assertEquals(1, since.size(), () -> "blocked, yet the stand-in accepted a connection before the "
                            + "follow-up's: " + since);
                    event = refused(events, before, route, response, "runtime-socket", expectedEvent.identifies(),
                            expectedEvent::assertMatches);
                } else {
                    assertPinged(response, recordedBefore);
                    event = logged(events, before, route, expectedEvent.identifies(), expectedEvent::assertMatches);
                }
            }
            default -> throw new IllegalArgumentException(op + " is never a finding: use untouched()");
        }
        expected.assertReason(event);
        service.process().assertNoUnexpectedAgentProblems();
        return event;
    }

    /**
     * The first check of a service whose framework the agent may not know: {@link #guarded} for {@code exec}. When it
     * fails, the agent does not guard this service's requests at all, and every later {@link #guarded} and
     * {@link #untouched} of this slot is skipped with that reason instead of each failing on its own (an
     * {@code untouched} check proves "no event" with a follow-up request that must log, so it would wait out the
     * event timeout every time).
     *
     * @return the event
     */
    JsonNode probe(String area, UnaryOperator<HttpTestClient.Get> credentials, Expected expected) throws IOException {
        try {
            return guarded(area, Op.EXEC, credentials, expected);
        } catch (AssertionError | RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            unguarded = area + "/exec: " + message.lines().findFirst().orElse(message);
            throw e;
        }
    }

    /** Skips (aborts) the calling test if {@link #probe} found that the agent does not guard this service. */
    void requireGuarded() {
        if (unguarded != null) {
            Assumptions.abort("the agent does not guard " + slot.server().displayName() + " (the probe failed: "
                    + unguarded + ")");
        }
    }

    /**
     * {@code GET <area>/<op>} with {@code credentials}: it runs (what it did is checked) and no event is written.
     *
     * @return the service's answer (its headers may say more about where it ran)
     */
    HttpTestClient.Response untouched(String area, Op op, UnaryOperator<HttpTestClient.Get> credentials) {
        requireGuarded();
        GuardedService service = service();
        String route = area + "/" + op.path();
        int before = service.events().count();
        HttpTestClient.Response response;
        switch (op) {
            case EXEC -> {
                Path marker = service.marker(name(area, op));
                response = credentials.apply(service.exec(route, "process-builder", "touch " + marker)).send();
                ProcessStartEvent.assertRan(response);
                assertTrue(Files.exists(marker), "the command should have run: " + marker + " does not exist");
            }
            case ENVIRON -> {
                response = credentials.apply(get(service, route)).send();
                assertEnvironRead(response);
            }
            case SOCKET -> {
                int recordedBefore = standIn().recorded().size();
                response = credentials.apply(get(service, route)).send();
                assertPinged(response, recordedBefore);
            }
            case BENIGN -> {
                response = credentials.apply(get(service, route)).send();
                assertEquals(200, response.status(), () -> "expected 200, got " + response);
                assertTrue(BENIGN_READ.matcher(response.body()).matches(), () -> "the benign read: " + response);
            }
            default -> throw new IllegalArgumentException(op.toString());
        }
        HandOverIT.assertNothingLogged(service, before, "for " + route, name(area, op) + "-follow-up");
        service.process().assertNoUnexpectedAgentProblems();
        return response;
    }

    /** The service's Docker stand-in; {@link Op#SOCKET} needs one. */
    DockerStandInProcess standIn() {
        if (standIn == null) {
            throw new IllegalStateException(label() + "has no Docker stand-in: socket needs one");
        }
        return standIn;
    }

    /** A fresh name for the markers of one request. */
    private synchronized String name(String area, Op op) {
        return area.substring(1).replace('/', '-') + "-" + op.path() + "-" + (++requests);
    }

    private static HttpTestClient.Get get(GuardedService service, String route) {
        return HttpTestClient.get(service.process().baseUri(), route);
    }

    private static JsonNode logged(EventLog events, int before, String route, Predicate<JsonNode> identifies,
                                   Consumer<JsonNode> check) {
        JsonNode event = events.awaitSince(before, "for " + route, identifies);
        check.accept(event);
        GuardAssertions.assertOnlyEvents(events, before, List.of(identifies));
        return event;
    }

    /** The one event of a refused request, then the agent's 403 naming it. */
    private static JsonNode refused(EventLog events, int before, String route, HttpTestClient.Response response,
                                    String rule, Predicate<JsonNode> identifies,
                                    Consumer<JsonNode> check) {
        JsonNode event = logged(events, before, route, identifies, check);
        String eventId = ProcessStartEvent.assertBlockResponse(response, rule);
        assertEquals(event.path("event").path("id").asText(), eventId, "403 event_id vs the event's event.id");
        return event;
    }

    private static void assertEnvironRead(HttpTestClient.Response response) {
        assertEquals(200, response.status(), () -> "expected 200, got " + response);
        assertTrue(ENVIRON_READ.matcher(response.body()).matches(),
                () -> "/proc/self/environ was not read (or without the service's CANARY): " + response);
    }

    /** The app's answer is the stand-in's, and the stand-in recorded this one {@code GET /_ping}. */
    private void assertPinged(HttpTestClient.Response response, int recordedBefore) {
        assertEquals(200, response.status(), () -> "expected 200, got " + response);
        assertEquals("status=200\nOK", response.body().strip(), () -> "the stand-in's answer: " + response);
        List<String> since = standIn.recordedSince(recordedBefore);
        assertEquals(1, since.size(), () -> "expected the stand-in to record this one request: " + since);
        assertTrue(since.get(0).contains("\"method\":\"GET\"") && since.get(0).contains("\"path\":\"/_ping\""),
                () -> "recorded: " + since);
    }
}
