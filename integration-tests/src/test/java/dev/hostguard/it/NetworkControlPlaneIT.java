package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostguard.demo.Actions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * TCP connects to control planes: the demo (Jetty) and the JDK {@code HttpServer} app, every JDK, audit and block.
 * Three {@link TcpStandIn}s on loopback stand for the control planes, since binding 2375 or 169.254.169.254 may not
 * be possible: the policy adds {@code 127.0.0.1:<port>} to {@code docker-api-tcp} and {@code localhost:<port>} (a
 * name) to {@code cloud-metadata}; the third is named by {@code DOCKER_HOST=tcp://127.0.0.1:<port>}, which the
 * default {@code docker-api-tcp} rule reads from the environment.
 *
 * <ul>
 *   <li>every JDK client of the demo's network actions ({@code Socket}, {@code SocketChannel},
 *       {@code AsynchronousSocketChannel}, {@code HttpClient}, {@code URL.openConnection}) from an API-key request,
 *       one from an anonymous one: block: the agent's 403 naming the event, and the stand-in never accepted the
 *       connection (a probe the test sends afterwards is the only line it recorded since); audit: 200, the stand-in
 *       answered, one {@code network-connect} event with the rule and ECS {@code destination.*} (in block mode the
 *       {@code HttpClient} tries the refused connect twice, as it retries any failed connect once: two events)</li>
 *   <li>the same from a logged-in user's request: 200, recorded, no event</li>
 *   <li>the HttpServer app's start-up connect ({@code BOOT_CONNECT}, outside any request): recorded, no event</li>
 * </ul>
 */
class NetworkControlPlaneIT {
    private static final String TEST = NetworkControlPlaneIT.class.getSimpleName();
    private static final List<String> MODES = List.of("audit", "block");
    private static final List<String> CLIENTS = List.of("tcp-socket", "tcp-socket-channel", "tcp-async-channel",
            "tcp-http-client", "tcp-url-connection");

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ServiceSlots SLOTS = new ServiceSlots();

    /** The stand-ins of one service, and how its requests name them. */
    private record Planes(TcpStandIn docker, TcpStandIn metadata, TcpStandIn dockerHost) {
    }

    /** One connect a request asks for: which stand-in, by which host, the rule and the name the event carries. */
    private record Target(String what, String host, String rule, boolean byName) {
        TcpStandIn standIn(Planes planes) {
            return switch (what) {
                case "docker" -> planes.docker();
                case "metadata" -> planes.metadata();
                default -> planes.dockerHost();
            };
        }
    }

    private static final Target DOCKER = new Target("docker", "127.0.0.1", "docker-api-tcp", false);
    private static final Target METADATA = new Target("metadata", "localhost", "cloud-metadata", true);
    private static final Target DOCKER_HOST = new Target("docker-host", "127.0.0.1", "docker-api-tcp", false);

    @Test
    void coversEveryNetworkClientOfTheDemo() {
        assertEquals(new TreeSet<>(CLIENTS), new TreeSet<>(Actions.networkActions()),
                "CLIENTS vs the demo's Actions.networkActions()");
    }

    @TestFactory
    Stream<DynamicNode> networkControlPlanes() {
        return Jdks.all().stream().map(jdk -> dynamicContainer("JDK " + jdk.version(),
                GuardedServer.WITH_EVERY_ROUTE.stream().flatMap(server -> MODES.stream()
                        .map(mode -> forService(jdk, server, mode)))));
    }

    private DynamicContainer forService(Jdks.Jdk jdk, GuardedServer server, String mode) {
        Path dir = tmp.resolve(jdk.label() + "-" + server.id() + "-" + mode);
        Planes planes;
        try {
            planes = new Planes(new TcpStandIn("docker"), new TcpStandIn("metadata"), new TcpStandIn("docker-host"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        String policy = GuardedService.UNLIMITED_EVENTS_POLICY + "rules:\n"
                + "  - id: docker-api-tcp\n    endpoints: [\"127.0.0.1:" + planes.docker().port() + "\"]\n"
                + "  - id: cloud-metadata\n    endpoints: [\"localhost:" + planes.metadata().port() + "\"]\n";
        var withPolicy = GuardedService.withPolicy(dir.resolve("policy.yaml"), policy);
        ServiceSlot slot = new ServiceSlot(TEST, jdk, server, mode, dir, b -> {
            ServiceProcess.Builder builder = withPolicy.apply(b)
                    .env("DOCKER_HOST", "tcp://127.0.0.1:" + planes.dockerHost().port());
            return server == GuardedServer.HTTPSERVER_APP
                    ? builder.env("BOOT_CONNECT", "127.0.0.1:" + planes.docker().port()) : builder;
        });
        slot.onStop(planes.docker());
        slot.onStop(planes.metadata());
        slot.onStop(planes.dockerHost());
        SLOTS.add(slot);
        String at = slot.label();
        boolean blocking = mode.equals("block");
        String outcome = blocking ? "agent's 403, the stand-in never accepted the connection, event blocked"
                : "200, the stand-in answered, event logged";
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "start " + server.id() + " with the policy's endpoints (docker " + planes.docker()
                + ", metadata " + planes.metadata() + ") and DOCKER_HOST=tcp://" + planes.dockerHost().toString()
                .replaceFirst("^docker-host on ", ""), slot::start));
        if (server == GuardedServer.HTTPSERVER_APP) {
            tests.add(dynamicTest(at + "the start-up connect (BOOT_CONNECT, outside any request) reached the docker"
                    + " stand-in, no event", () -> {
                        GuardedService service = slot.require();
                        assertEquals(List.of("GET /tcp-socket HTTP/1.1"), planes.docker().recordedSince(0),
                                "what the docker stand-in recorded before any request");
                        assertTrue(service.events().events().stream().noneMatch(isNetworkConnect()),
                                () -> "events: " + EventLog.describe(service.events().events()));
                    }));
        }
        for (String client : CLIENTS) {
            tests.add(dynamicTest(at + client + " to docker-api-tcp (127.0.0.1:<port> in the policy) as api-key -> "
                    + outcome, () -> guardedConnect(slot.require(), planes, client, DOCKER, Credentials.API_KEY)));
        }
        tests.add(dynamicTest(at + "tcp-socket to cloud-metadata by name (localhost:<port> in the policy) as api-key"
                + " -> " + outcome, () -> guardedConnect(slot.require(), planes, "tcp-socket", METADATA,
                Credentials.API_KEY)));
        tests.add(dynamicTest(at + "tcp-http-client to cloud-metadata by name as api-key -> " + outcome,
                () -> guardedConnect(slot.require(), planes, "tcp-http-client", METADATA, Credentials.API_KEY)));
        tests.add(dynamicTest(at + "tcp-url-connection to docker-api-tcp (DOCKER_HOST=tcp://...) with no credentials"
                + " -> " + outcome, () -> guardedConnect(slot.require(), planes, "tcp-url-connection", DOCKER_HOST,
                Credentials.NONE)));
        tests.add(dynamicTest(at + "tcp-socket-channel to cloud-metadata with no credentials -> " + outcome,
                () -> guardedConnect(slot.require(), planes, "tcp-socket-channel", METADATA, Credentials.NONE)));
        for (String client : List.of("tcp-socket", "tcp-http-client")) {
            tests.add(dynamicTest(at + client + " to docker-api-tcp and cloud-metadata as the logged-in user -> 200,"
                    + " the stand-in answered, no event", () -> userConnect(slot.require(), planes, client)));
        }
        tests.add(dynamicTest(at + "stop " + server.id() + " (no agent WARN/ERROR, no leaked key)", slot::stop));
        return dynamicContainer("[" + server.id() + "] mode=" + mode, tests);
    }

    private static HttpTestClient.Response send(GuardedService service, String client, Target target, TcpStandIn standIn,
                                                Credentials credentials) {
        HttpTestClient.Get get = HttpTestClient.get(service.process().baseUri(), service.server().route(credentials))
                .query("api", client).query("host", target.host()).query("port", Integer.toString(standIn.port()));
        return service.withCredentials(get, credentials).send();
    }

    private static Predicate<JsonNode> isNetworkConnect() {
        return e -> e.path("event").path("action").asText().equals("network-connect");
    }

    private static void guardedConnect(GuardedService service, Planes planes, String client, Target target,
                                       Credentials credentials) throws Exception {
        TcpStandIn standIn = target.standIn(planes);
        EventLog events = service.events();
        int before = events.count();
        int recordedBefore = standIn.recorded().size();
        String route = service.server().route(credentials);

        HttpTestClient.Response response = send(service, client, target, standIn, credentials);

        Predicate<JsonNode> identifies = isNetworkConnect()
                .and(e -> e.path("destination").path("port").asInt() == standIn.port());
        JsonNode event = events.awaitSince(before, "for " + client + " to " + standIn, identifies);
        if (service.blocking()) {
            List<String> since = standIn.probe(recordedBefore);
            assertEquals(1, since.size(), () -> "blocked, yet the stand-in accepted a connection before the probe: "
                    + since);
            assertTrue(TcpStandIn.isProbe(since.get(0)), () -> "recorded: " + since);
            String eventId = ProcessStartEvent.assertBlockResponse(response, target.rule());
            assertEquals(event.path("event").path("id").asText(), eventId, "403 event_id vs the event's event.id");
        } else {
            assertEquals(200, response.status(), () -> "expected 200, got " + response);
            assertTrue(response.body().startsWith("status=200") && response.body().contains(TcpStandIn.BODY),
                    () -> "the stand-in's answer: " + response.body());
            assertEquals(List.of("GET /" + client + " HTTP/1.1"), standIn.recordedSince(recordedBefore),
                    "what the stand-in recorded");
        }
        List<String> problems = new ArrayList<>();
        RequestEventFields.checkEnvelope(problems, event);
        RequestEventFields.check(problems, event, route,
                credentials == Credentials.API_KEY ? service.secrets().apiKeyFingerprint() : null,
                List.of("host=", "port="));
        JsonNode hostguard = event.path("hostguard");
        check(problems, "event.category[0]", "network", event.path("event").path("category").path(0).asText());
        check(problems, "event.outcome", service.blocking() ? "failure" : "success",
                event.path("event").path("outcome").asText());
        check(problems, "hostguard.decision", service.blocking() ? "blocked" : "logged", hostguard.path("decision").asText());
        check(problems, "hostguard.mode", service.mode(), hostguard.path("mode").asText());
        check(problems, "hostguard.rule", target.rule(), hostguard.path("rule").asText());
        check(problems, "hostguard.auth", credentials.authClass(), hostguard.path("auth").asText());
        check(problems, "hostguard.access", "connect", hostguard.path("access").asText());
        JsonNode destination = event.path("destination");
        check(problems, "destination.address", "127.0.0.1", destination.path("address").asText());
        check(problems, "destination.ip", "127.0.0.1", destination.path("ip").asText());
        check(problems, "destination.domain", target.byName() ? "localhost" : "<none>",
                destination.path("domain").asText("<none>"));
        assertTrue(problems.isEmpty(), () -> String.join("\n", problems) + "\nin " + event);
        // the HttpClient tries a connect that failed once more (its retry of a ConnectException, as which it reports
        // the refusal): two refused connects, two events, and the stand-in saw neither
        int expected = service.blocking() && client.equals("tcp-http-client") ? 2 : 1;
        List<JsonNode> since = events.since(before);
        assertTrue(since.size() == expected && since.stream().allMatch(identifies),
                () -> "expected " + expected + " event(s) of this connect, got:\n" + EventLog.describe(since));
        GuardAssertions.assertKeyNotLeaked(service);
        service.process().assertNoUnexpectedAgentProblems();
    }

    private static void check(List<String> problems, String field, String expected, String actual) {
        if (!expected.equals(actual)) {
            problems.add(field + ": expected '" + expected + "', found '" + actual + "'");
        }
    }

    private static void userConnect(GuardedService service, Planes planes, String client) throws Exception {
        int before = service.events().count();
        for (Target target : List.of(DOCKER, METADATA)) {
            TcpStandIn standIn = target.standIn(planes);
            int recordedBefore = standIn.recorded().size();
            HttpTestClient.Response response = send(service, client, target, standIn, Credentials.USER_LOGIN);
            assertEquals(200, response.status(), () -> "expected 200, got " + response);
            assertTrue(response.body().contains(TcpStandIn.BODY), () -> "the stand-in's answer: " + response.body());
            assertEquals(List.of("GET /" + client + " HTTP/1.1"), standIn.recordedSince(recordedBefore),
                    "what the stand-in recorded");
        }
        Path marker = service.marker("after-user-" + client);
        service.events().assertNothingLoggedSince(before, "for the logged-in user's connects",
                () -> service.exec(Credentials.NONE, "process-builder", "touch " + marker).send(),
                EventLog.hasProcessArg(marker.toString()));
        service.process().assertNoUnexpectedAgentProblems();
    }
}
