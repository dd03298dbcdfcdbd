package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostguard.it.WebSocketTestClient.Endpoint;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * WebSocket sessions carry their handshake (issue 19 item 1): the demo's JSR 356 {@code ActionSocket} at
 * {@code <area>/ws} on Jetty 12 (the demo) and Tomcat 11 ({@code TomcatApp}), and Spring's {@code WebSocketHandler}
 * ({@code OperationsSocket} of the Spring Boot 3 app, Tomcat 10.1, Spring Security's chains on the handshake; and
 * its STOMP {@code @MessageMapping}, {@code OperationsStomp}, run on the {@code clientInboundChannel}'s executor), and
 * Spring WebFlux's {@code WebSocketHandler} ({@code OperationsSocket} of the WebFlux app, Reactor Netty, Spring
 * Security WebFlux's chains on the handshake exchange; at {@code <area>/ws-late} a handler that asks for its messages
 * only after the first one arrived, which Reactor Netty then hands it from a task, not as the frame is read), and
 * Vert.x 5's {@code HttpServerRequest.toWebSocket()} in a vertx-web route ({@code test-apps/vertx}, behind {@code APIKeyHandler} / {@code BasicAuthHandler} / nothing; closed
 * with {@code ServerWebSocket.close(1008, ..)}), every JDK, audit and block, one service JVM per server and mode. Each text message runs one operation: a command creating a marker file, a read
 * of {@code /proc/self/environ} (the service runs with {@code DEMO_CANARY=<random>}), a connect to the Docker
 * stand-in ({@code DOCKER_HOST}; one stand-in JVM for the class), or nothing. Handshakes with the API key and with
 * nothing are guarded: in block the operation did not happen (no marker, the canary in no answer, the stand-in
 * accepted nothing before a later allowed call's connection), the session is closed with 1008 and the event id,
 * and one blocked event says {@code hostguard.context: websocket} with the handshake's path; in audit the operation
 * happened, one logged event says the same, and the session goes on. A BASIC login's handshake: everything runs,
 * no event.
 */
class WebSocketIT {
    private static final String TEST = WebSocketIT.class.getSimpleName();
    private static final List<GuardedServer> SERVERS = List.of(GuardedServer.DEMO, GuardedServer.TOMCAT_APP,
            GuardedServer.SPRING_BOOT3, GuardedServer.SPRING_WEBFLUX, GuardedServer.VERTX);
    private static final List<String> MODES = List.of("block", "audit");
    private static final String ENVIRON = "/proc/self/environ";

    /** What a message makes the endpoint do, and the rule that judges it. */
    enum Operation {
        EXEC("process-start"), ENVIRON_READ("proc-environ"), DOCKER_CONNECT("runtime-socket");

        final String rule;

        Operation(String rule) {
            this.rule = rule;
        }
    }

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ServiceSlots SLOTS = new ServiceSlots();

    private static DockerStandInProcess standIn;

    @BeforeAll
    static void startStandIn() throws Exception {
        Jdks.Jdk jdk = Jdks.all().get(0);
        standIn = new DockerStandInProcess(tmp.resolve("stand-in"));
        standIn.start(TEST, jdk, TEST + " docker stand-in on " + jdk.label());
    }

    @AfterAll
    static void stopStandIn() {
        if (standIn != null) {
            standIn.close();
        }
    }

    @TestFactory
    Stream<DynamicNode> webSockets() {
        List<DynamicNode> containers = new ArrayList<>();
        for (Jdks.Jdk jdk : Jdks.all()) {
            List<DynamicNode> services = new ArrayList<>();
            for (GuardedServer server : SERVERS) {
                for (String mode : MODES) {
                    services.add(forService(jdk, server, mode));
                }
            }
            containers.add(dynamicContainer("JDK " + jdk.version(), services));
        }
        return containers.stream();
    }

    private DynamicContainer forService(Jdks.Jdk jdk, GuardedServer server, String mode) {
        String canary = "canary-" + UUID.randomUUID().toString().replace("-", "");
        ServiceSlot slot = SLOTS.add(new ServiceSlot(TEST, jdk, server, mode,
                tmp.resolve(jdk.label() + "-" + server.id() + "-" + mode),
                b -> b.env("DOCKER_HOST", standIn.dockerHost()).env("DEMO_CANARY", canary).env("CANARY", canary)));
        String at = slot.label();
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "start " + server.displayName() + " with -javaagent mode=" + mode
                + ", DOCKER_HOST = the stand-in, DEMO_CANARY in its environment", slot::start));
        for (Endpoint endpoint : endpoints(server)) {
            String ws = endpoint.name().toLowerCase(Locale.ROOT) + " ";
            for (Credentials credentials : List.of(Credentials.API_KEY, Credentials.NONE)) {
                for (Operation operation : Operation.values()) {
                    tests.add(dynamicTest(at + ws + operation + " | " + credentials.authClass() + " handshake -> "
                            + (slot.blocking() ? "not done, closed 1008 with the event id, one blocked websocket event"
                            : "done, one logged websocket event, the session goes on"),
                            () -> guarded(slot.require(), endpoint, credentials, operation, canary)));
                }
            }
            tests.add(dynamicTest(at + ws + "benign | api-key handshake -> answered, no event",
                    () -> benign(slot.require(), endpoint)));
            for (Operation operation : Operation.values()) {
                tests.add(dynamicTest(at + ws + operation + " | user handshake -> done, no event",
                        () -> user(slot.require(), endpoint, operation, canary)));
            }
        }
        tests.add(dynamicTest(at + "stop: no agent WARN/ERROR; the API key is in neither the events nor the log",
                slot::stop));
        return dynamicContainer(server.displayName() + " " + mode, tests.stream());
    }

    /**
     * What the server serves: a socket of text messages at {@code <area>/ws}; the Spring Boot 3 app also STOMP at
     * {@code <area>/stomp}, its {@code @MessageMapping} run on the {@code clientInboundChannel}'s executor; the
     * WebFlux app also a socket whose handler reads late, at {@code <area>/ws-late}.
     */
    private static List<Endpoint> endpoints(GuardedServer server) {
        return switch (server) {
            case SPRING_BOOT3 -> List.of(Endpoint.WS, Endpoint.STOMP);
            case SPRING_WEBFLUX -> List.of(Endpoint.WS, Endpoint.WS_LATE);
            default -> List.of(Endpoint.WS);
        };
    }

    /** The message for {@code operation}; {@code marker} is the file a command creates. */
    private static String message(GuardedService service, Operation operation, Path marker) {
        if (runsHostOperations(service.server())) { // test-apps/host-operations, by op=
            return switch (operation) {
                case EXEC -> "op=exec&cmd=" + encode("touch " + marker) + "&dir=" + encode(service.markers().toString());
                case ENVIRON_READ -> "op=environ";
                case DOCKER_CONNECT -> "op=socket";
            };
        }
        return switch (operation) {
            case EXEC -> "api=process-builder&cmd=" + encode("touch " + marker) + "&dir="
                    + encode(service.markers().toString());
            case ENVIRON_READ -> "api=file-input-stream&path=" + encode(ENVIRON);
            case DOCKER_CONNECT -> "api=docker-list";
        };
    }

    /** The Spring and Vert.x apps' sockets run test-apps/host-operations, and their {@code /basic/<op>} routes too. */
    private static boolean runsHostOperations(GuardedServer server) {
        return server == GuardedServer.SPRING_BOOT3 || server == GuardedServer.SPRING_WEBFLUX
                || server == GuardedServer.VERTX;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static void guarded(GuardedService service, Endpoint endpoint, Credentials credentials,
                                Operation operation, String canary) {
        EventLog events = service.events();
        int before = events.count();
        int recordedBefore = standIn.recorded().size();
        Path marker = service.marker(endpoint + "-" + operation + "-" + credentials.authClass());
        String route = service.server().area(credentials) + endpoint.path;
        Predicate<JsonNode> thisOne = e -> operation.rule.equals(e.path("hostguard").path("rule").asText())
                && route.equals(e.path("url").path("path").asText());
        try (WebSocketTestClient ws = WebSocketTestClient.open(service, credentials, endpoint)) {
            ws.send(message(service, operation, marker));
            if (service.blocking()) {
                WebSocketTestClient.Closed closed = ws.awaitClose();
                JsonNode event = events.awaitSince(before, "for " + operation + " on " + route, thisOne);
                assertEvent(service, credentials, route, operation, event);
                assertEquals(1008, closed.code(), () -> "close code (policy violation): " + closed);
                String id = event.path("event").path("id").asText();
                assertEquals("blocked by HostGuard: event " + id, closed.reason(), "close reason names the event");
                assertNotDone(service, operation, marker, canary, ws, recordedBefore);
            } else {
                String answer = ws.awaitMessage();
                assertTrue(answer.startsWith("ok "), () -> "audit: the operation ran: " + answer);
                assertDone(operation, marker, canary, answer, recordedBefore);
                JsonNode event = events.awaitSince(before, "for " + operation + " on " + route, thisOne);
                assertEvent(service, credentials, route, operation, event);
                ws.send("hello");
                String next = ws.awaitMessage();
                assertTrue(next.startsWith("ok benign"), () -> "audit: the session goes on: " + next);
                assertFalse(ws.closedByServer(), "audit: the session stays open");
            }
            GuardAssertions.assertOnlyEvents(events, before, List.of(thisOne));
        }
        GuardAssertions.assertKeyNotLeaked(service);
        service.process().assertNoUnexpectedAgentProblems();
    }

    private static void assertEvent(GuardedService service, Credentials credentials, String route, Operation operation,
                                    JsonNode event) {
        JsonNode hg = event.path("hostguard");
        assertEquals("websocket", hg.path("context").asText(), () -> "hostguard.context in " + event);
        assertEquals(route, event.path("url").path("path").asText(), () -> "url.path: the handshake's, in " + event);
        assertEquals("GET", event.path("http").path("request").path("method").asText(),
                () -> "http.request.method: the handshake's, in " + event);
        assertEquals(operation.rule, hg.path("rule").asText(), () -> "hostguard.rule in " + event);
        assertEquals(service.blocking() ? "blocked" : "logged", hg.path("decision").asText(),
                () -> "hostguard.decision in " + event);
        assertEquals(service.mode(), hg.path("mode").asText(), () -> "hostguard.mode in " + event);
        assertEquals(credentials.authClass(), hg.path("auth").asText(), () -> "hostguard.auth in " + event);
        if (credentials == Credentials.API_KEY && service.server().keyHeader().equals("X-API-Key")) {
            assertEquals(service.secrets().apiKeyFingerprint(), event.path("api_key").path("fingerprint").asText(),
                    () -> "api_key.fingerprint in " + event);
        } else if (credentials == Credentials.API_KEY) { // X-Service-Key is no default key header: the fingerprint
            // is of the name of the principal the app's key filter made (SpringBootIT), never the raw key
            assertTrue(event.path("api_key").path("fingerprint").asText().matches("[0-9a-f]{12}"),
                    () -> "api_key.fingerprint in " + event);
        }
        assertTrue(hg.path("frames").path(0).asText().startsWith(service.server().appPackage()),
                () -> "hostguard.frames[0]: the endpoint's code, in " + event);
    }

    /** Block: nothing happened on the host. The stand-in is checked with a later allowed call's connection. */
    private static void assertNotDone(GuardedService service, Operation operation, Path marker, String canary,
                                      WebSocketTestClient ws, int recordedBefore) {
        switch (operation) {
            case EXEC -> assertFalse(Files.exists(marker), "blocked, yet the command ran: " + marker + " exists");
            case ENVIRON_READ -> assertTrue(ws.received().stream().noneMatch(m -> readEnvironment(m, canary)),
                    () -> "blocked, yet the environment was read: " + ws.received());
            case DOCKER_CONNECT -> {
                HttpTestClient.Response followUp = (runsHostOperations(service.server())
                        ? service.withCredentials(HttpTestClient.get(service.process().baseUri(), "/basic/socket"),
                                Credentials.USER_LOGIN)
                        : service.exec(Credentials.USER_LOGIN, "docker-list", "-")).send();
                assertEquals(200, followUp.status(), () -> "the logged-in follow-up failed: " + followUp);
                List<String> since = standIn.recordedSince(recordedBefore);
                assertEquals(1, since.size(), () -> "blocked, yet the stand-in accepted a connection before the "
                        + "follow-up's: " + since);
            }
        }
    }

    private static void assertDone(Operation operation, Path marker, String canary, String answer,
                                   int recordedBefore) {
        switch (operation) {
            case EXEC -> HandOverIT.awaitFile(marker);
            case ENVIRON_READ -> assertTrue(readEnvironment(answer, canary), () -> "the environment, read: " + answer);
            case DOCKER_CONNECT -> assertEquals(1, standIn.recordedSince(recordedBefore).size(),
                    () -> "the stand-in's record since: " + standIn.recordedSince(recordedBefore));
        }
    }

    /**
     * Whether an answer shows the environment was read: the demo's answer is its bytes, host-operations' only says
     * whether the canary was in them.
     */
    private static boolean readEnvironment(String answer, String canary) {
        return answer.contains(canary) || answer.contains("canary=present");
    }

    private static void benign(GuardedService service, Endpoint endpoint) {
        int before = service.events().count();
        try (WebSocketTestClient ws = WebSocketTestClient.open(service, Credentials.API_KEY, endpoint)) {
            ws.send("hello");
            String answer = ws.awaitMessage();
            assertTrue(answer.startsWith("ok benign"), () -> "the benign answer: " + answer);
        }
        assertNothingLogged(service, before, "for a benign message", endpoint + "-benign-follow-up");
        service.process().assertNoUnexpectedAgentProblems();
    }

    private static void user(GuardedService service, Endpoint endpoint, Operation operation, String canary) {
        int before = service.events().count();
        int recordedBefore = standIn.recorded().size();
        Path marker = service.marker(endpoint + "-" + operation + "-user");
        try (WebSocketTestClient ws = WebSocketTestClient.open(service, Credentials.USER_LOGIN, endpoint)) {
            ws.send(message(service, operation, marker));
            String answer = ws.awaitMessage();
            assertTrue(answer.startsWith("ok "), () -> "a user's session runs untouched: " + answer);
            assertDone(operation, marker, canary, answer, recordedBefore);
        }
        assertNothingLogged(service, before, "for a user's session (" + endpoint + " " + operation + ")",
                endpoint + "-" + operation + "-user-follow-up");
        service.process().assertNoUnexpectedAgentProblems();
    }

    /** No event since {@code before}: a later HTTP request's event is the only one (it logs in both modes). */
    private static void assertNothingLogged(GuardedService service, int before, String what, String followUpName) {
        Path followUp = service.marker(followUpName);
        service.events().assertNothingLoggedSince(before, what,
                () -> service.exec(Credentials.NONE, "process-builder", "touch " + followUp).send(),
                EventLog.hasProcessArg(followUp.toString()));
    }
}
