package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-java 3.5, the Docker client Java services use, with its three transports, each a client made at start-up
 * (test-apps/docker-java): {@code httpclient5} and {@code zerodep}, whose pools keep one connection, and
 * {@code netty} (a connection for each command, connected and written on Netty's event loop: Netty's native epoll
 * domain sockets, which never reach the JDK's, to a Unix socket; its NIO transport to TCP), against
 * the Docker stand-in serving as the daemon does ({@code --keep-alive}: connections stay open, each record line
 * names its connection, and a line says when one closed and after how many requests), listening as a daemon may: on
 * its Unix socket (rule {@code runtime-socket}, events {@code unix-connect}), or on TCP ({@code DOCKER_HOST=tcp://
 * 127.0.0.1:<port>}, rule {@code docker-api-tcp}, events {@code network-connect} naming the port).
 *
 * <p>On every JDK, in audit and block mode, for each daemon and each transport:
 * <ul>
 *   <li>the connection the start-up's ping opened (outside any request), used by an API-key request's
 *       {@code POST /containers/create}: block: the agent's 403, the stand-in never saw the create (that connection
 *       closed after its one request, the ping; no create line anywhere), event of access {@code write}
 *       blocked; audit: 201 over the start-up's very connection (the same connection number), event
 *       logged</li>
 *   <li>a connection a logged-in user's request opened (or reused), then used by an anonymous request's create:
 *       the same</li>
 *   <li>a fresh connect from an API-key request (a client made for it): block: refused at the connect (access
 *       {@code connect}), the stand-in accepted no connection (the next one it accepts has the next number);
 *       audit: 200 on a new connection, one event</li>
 *   <li>the logged-in user's create and list: 200, recorded, no event</li>
 * </ul>
 * {@code netty} keeps no connection, so each of its requests is a fresh connect: an API-key request's create, an
 * anonymous one's after a user's list, and a fresh client's list are each refused at the connect (block: the
 * stand-in accepted no connection for them) or logged (audit); the user's calls are untouched.
 */
class DockerJavaIT {
    private static final String TEST = DockerJavaIT.class.getSimpleName();
    private static final List<String> MODES = List.of("audit", "block");
    private static final List<String> CLIENTS = List.of("httpclient5", "zerodep", "netty");
    /** The transport that keeps no connection: docker-java's Netty transport connects for each command. */
    private static final String CONNECT_EACH_TIME = "netty";
    private static final List<Daemon> DAEMONS = List.of(new Daemon(false), new Daemon(true));

    /**
     * Where the stand-in listens, as a Docker daemon may: its Unix socket ({@code runtime-socket}), or TCP
     * ({@code -H tcp://}, the service's {@code DOCKER_HOST=tcp://127.0.0.1:<port>}, which the default
     * {@code docker-api-tcp} rule reads from the environment).
     */
    private record Daemon(boolean tcp) {
        String rule() {
            return tcp ? "docker-api-tcp" : "runtime-socket";
        }

        String label() {
            return tcp ? "daemon on tcp" : "daemon on its unix socket";
        }

        /** An event of a connect to the daemon or a use of a connection to it: its action, the socket or port. */
        void assertReached(JsonNode event, DockerStandInProcess standIn) {
            if (tcp) {
                assertEquals("network-connect", event.path("event").path("action").asText(), () -> "event: " + event);
                assertEquals(standIn.port(), event.path("destination").path("port").asInt(), () -> "event: " + event);
            } else {
                assertEquals("unix-connect", event.path("event").path("action").asText(), () -> "event: " + event);
                assertTrue(event.path("file").path("path").asText().endsWith("/docker.sock"), () -> "event: " + event);
            }
        }
    }
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ServiceSlots SLOTS = new ServiceSlots();
    private static final List<DockerStandInProcess> STAND_INS = new ArrayList<>();

    @TestFactory
    Stream<DynamicNode> dockerJava() {
        return Jdks.all().stream().map(jdk -> dynamicContainer("JDK " + jdk.version(),
                MODES.stream().map(mode -> dynamicContainer("mode=" + mode,
                        DAEMONS.stream().map(daemon -> forService(jdk, mode, daemon))))));
    }

    @AfterAll
    static void stopStandIns() {
        for (DockerStandInProcess standIn : STAND_INS) {
            try {
                standIn.close();
            } catch (RuntimeException | Error ignored) {
                // reported by the test that stopped it
            }
        }
    }

    private DynamicContainer forService(Jdks.Jdk jdk, String mode, Daemon daemon) {
        Path dir = tmp.resolve(jdk.label() + "-" + mode + (daemon.tcp() ? "-tcp" : ""));
        DockerStandInProcess standIn = new DockerStandInProcess(dir, true, daemon.tcp());
        ServiceSlot slot = new ServiceSlot(TEST, jdk, GuardedServer.DOCKER_JAVA, mode, dir,
                b -> b.env("DOCKER_HOST", standIn.dockerHost()).env("BOOT_PING", "1"));
        SLOTS.add(slot);
        String at = slot.label();
        boolean blocking = mode.equals("block");
        String refused = blocking ? "the agent's 403, the stand-in never saw it, event blocked"
                : "it ran, event logged";
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "start the stand-in (--keep-alive), then the app with BOOT_PING=1: each client's "
                + "pool holds the connection its start-up ping opened", () -> {
                    synchronized (STAND_INS) {
                        STAND_INS.add(standIn);
                    }
                    standIn.start(TEST, jdk, TEST + " docker stand-in on " + jdk.label() + " mode=" + mode);
                    slot.start();
                    List<JsonNode> pings = requestLines(standIn, 0);
                    assertEquals(CLIENTS.size(), pings.size(), () -> "the boot pings: " + standIn.recorded());
                    assertTrue(pings.stream().allMatch(l -> l.path("path").asText().endsWith("/_ping")),
                            () -> "the boot pings: " + standIn.recorded());
                }));
        for (int c = 0; c < CLIENTS.size(); c++) {
            String client = CLIENTS.get(c);
            int bootConnection = c + 1;
            if (client.equals(CONNECT_EACH_TIME)) {
                connectEachTime(tests, slot, standIn, daemon, at, client, blocking);
                continue;
            }
            tests.add(dynamicTest(at + client + ": the connection the start-up opened, used by an API-key "
                    + "request (POST /containers/create) -> " + refused,
                    () -> pooledUse(slot.require(), standIn, daemon, client, Credentials.API_KEY, bootConnection)));
            tests.add(dynamicTest(at + client + ": a connection a logged-in user's request opened, used by an "
                    + "anonymous request (POST /containers/create) -> " + refused, () -> {
                        GuardedService service = slot.require();
                        int before = standIn.recorded().size();
                        HttpTestClient.Response list = send(service, Credentials.USER_LOGIN, client, "list", false);
                        assertEquals(200, list.status(), () -> "the user's list: " + list);
                        JsonNode line = awaitRequestLine(standIn, before, "GET", "/containers/json");
                        pooledUse(service, standIn, daemon, client, Credentials.NONE,
                                line.path("connection").asInt());
                    }));
            tests.add(dynamicTest(at + client + ": a fresh connect from an API-key request -> "
                    + (blocking ? "refused at the connect, the stand-in accepted no connection" : "it ran, logged"),
                    () -> freshConnect(slot.require(), standIn, daemon, client)));
            tests.add(dynamicTest(at + client + ": the logged-in user's create and list -> 200, recorded, no event",
                    () -> userCalls(slot.require(), standIn, client)));
        }
        tests.add(dynamicTest(at + "stop the app (no agent WARN/ERROR, no leaked key) and the stand-in", () -> {
            slot.stop();
            standIn.close();
        }));
        return dynamicContainer(daemon.label(), tests);
    }

    /**
     * The tests of a transport that keeps no connection (docker-java's Netty transport, a connection for each
     * command): every request's command is a fresh connect, judged in the request even though Netty connects and
     * writes on its event loop.
     */
    private static void connectEachTime(List<DynamicNode> tests, ServiceSlot slot, DockerStandInProcess standIn,
                                        Daemon daemon, String at, String client, boolean blocking) {
        String connect = blocking ? "refused at the connect, the stand-in accepted no connection" : "it ran, logged";
        tests.add(dynamicTest(at + client + ": an API-key request's POST /containers/create (a connection of its "
                + "own, on Netty's event loop) -> " + connect, () -> freshConnect(slot.require(), standIn, daemon,
                client, Credentials.API_KEY, "create", false)));
        tests.add(dynamicTest(at + client + ": an anonymous request's POST /containers/create after a logged-in "
                + "user's list -> " + connect, () -> {
                    GuardedService service = slot.require();
                    int before = standIn.recorded().size();
                    HttpTestClient.Response list = send(service, Credentials.USER_LOGIN, client, "list", false);
                    assertEquals(200, list.status(), () -> "the user's list: " + list);
                    awaitRequestLine(standIn, before, "GET", "/containers/json");
                    freshConnect(service, standIn, daemon, client, Credentials.NONE, "create", false);
                }));
        tests.add(dynamicTest(at + client + ": a fresh client's connect from an API-key request -> " + connect,
                () -> freshConnect(slot.require(), standIn, daemon, client)));
        tests.add(dynamicTest(at + client + ": the logged-in user's create and list -> 200, recorded, no event",
                () -> userCalls(slot.require(), standIn, client)));
    }

    private static HttpTestClient.Response send(GuardedService service, Credentials credentials, String client,
                                                String op, boolean fresh) {
        HttpTestClient.Get get = HttpTestClient.get(service.process().baseUri(),
                service.server().area(credentials) + "/docker").query("client", client).query("op", op);
        if (fresh) {
            get.query("fresh", "1");
        }
        return service.withCredentials(get, credentials).send();
    }

    /**
     * {@code credentials}' create through {@code client}, whose pool holds {@code connection} (opened outside the
     * request, or by a user's request): refused before a byte of it went out (block), or sent over that very
     * connection (audit).
     */
    private static void pooledUse(GuardedService service, DockerStandInProcess standIn, Daemon daemon, String client,
                                  Credentials credentials, int connection) throws IOException {
        EventLog events = service.events();
        int before = events.count();
        int recordedBefore = standIn.recorded().size();
        int requestsBefore = (int) requestLines(standIn, 0).stream()
                .filter(l -> l.path("connection").asInt() == connection).count();
        HttpTestClient.Response response = send(service, credentials, client, "create", false);
        String route = service.server().area(credentials) + "/docker";
        Predicate<JsonNode> onRoute = e -> route.equals(e.path("url").path("path").asText())
                && daemon.rule().equals(e.path("hostguard").path("rule").asText());
        if (service.blocking()) {
            String eventId = ProcessStartEvent.assertBlockResponse(response, daemon.rule());
            // the pool drops the connection its request failed on: it closed after the requests it had carried
            JsonNode closed = awaitLine(standIn, recordedBefore, "connection " + connection + " closed",
                    l -> l.path("connection").asInt() == connection && l.has("closed"));
            assertEquals(requestsBefore, closed.path("requests").asInt(), () -> "the refused create reached the "
                    + "stand-in on connection " + connection + ": " + standIn.recorded());
            assertTrue(requestLines(standIn, recordedBefore).isEmpty(),
                    () -> "blocked, yet the stand-in received a request: " + standIn.recordedSince(recordedBefore));
            JsonNode event = events.awaitSince(before, "for " + route, e -> onRoute.test(e)
                    && eventId.equals(e.path("event").path("id").asText()));
            assertUse(event, standIn, daemon, "blocked", credentials, Set.of("write"));
            for (JsonNode other : events.since(before)) {
                assertTrue(onRoute.test(other) && "blocked".equals(other.path("hostguard").path("decision").asText()),
                        () -> "an event other than the refusals of this request: " + other);
            }
        } else {
            assertEquals(200, response.status(), () -> "expected 200, got " + response);
            assertTrue(response.body().startsWith("created="), () -> "the app's answer: " + response.body());
            JsonNode line = awaitRequestLine(standIn, recordedBefore, "POST", "/containers/create");
            assertEquals(connection, line.path("connection").asInt(),
                    () -> "the create did not go over the pooled connection: " + standIn.recorded());
            JsonNode body = EventLog.JSON.readTree(line.path("body").asText());
            assertTrue(body.path("HostConfig").path("Privileged").asBoolean(), "a privileged container");
            JsonNode event = events.awaitSince(before, "for " + route, onRoute);
            assertUse(event, standIn, daemon, "logged", credentials, Set.of("write", "read"));
            GuardAssertions.assertOnlyEvents(events, before, List.of(onRoute));
        }
        service.process().assertNoUnexpectedAgentProblems();
    }

    /** A connect to the daemon or a use of a kept connection to it: its {@code access} a connect, read or write. */
    private static void assertUse(JsonNode event, DockerStandInProcess standIn, Daemon daemon, String decision,
                                  Credentials credentials, Set<String> accesses) {
        daemon.assertReached(event, standIn);
        assertEquals(decision, event.path("hostguard").path("decision").asText(), () -> "event: " + event);
        assertEquals(credentials.authClass(), event.path("hostguard").path("auth").asText(), () -> "event: " + event);
        assertTrue(accesses.contains(event.path("hostguard").path("access").asText()), () -> "event: " + event);
    }

    private static void freshConnect(GuardedService service, DockerStandInProcess standIn, Daemon daemon,
                                     String client) throws IOException {
        freshConnect(service, standIn, daemon, client, Credentials.API_KEY, "list", true);
    }

    /**
     * {@code credentials}' {@code op} on a connection of its own (a client made for the request, {@code fresh}; or
     * a transport that connects for each command): block: refused at the connect, the stand-in accepted no
     * connection for it; audit: it ran on a new connection, logged.
     */
    private static void freshConnect(GuardedService service, DockerStandInProcess standIn, Daemon daemon,
                                     String client, Credentials credentials, String op, boolean fresh)
            throws IOException {
        EventLog events = service.events();
        int before = events.count();
        int recordedBefore = standIn.recorded().size();
        int lastConnection = parsed(standIn, 0).stream().mapToInt(l -> l.path("connection").asInt()).max()
                .orElse(0);
        HttpTestClient.Response response = send(service, credentials, client, op, fresh);
        String route = service.server().area(credentials) + "/docker";
        Predicate<JsonNode> onRoute = e -> route.equals(e.path("url").path("path").asText())
                && daemon.rule().equals(e.path("hostguard").path("rule").asText());
        if (service.blocking()) {
            String eventId = ProcessStartEvent.assertBlockResponse(response, daemon.rule());
            JsonNode event = events.awaitSince(before, "for " + route,
                    e -> eventId.equals(e.path("event").path("id").asText()));
            assertUse(event, standIn, daemon, "blocked", credentials, Set.of("connect"));
            // the next connection the stand-in accepts has the next number: none was accepted in between
            HttpTestClient.Response followUp = send(service, Credentials.USER_LOGIN, client, "list", true);
            assertEquals(200, followUp.status(), () -> "the user's follow-up: " + followUp);
            JsonNode line = awaitRequestLine(standIn, recordedBefore, "GET", "/containers/json");
            assertEquals(lastConnection + 1, line.path("connection").asInt(),
                    () -> "a connection was accepted for the refused request: " + standIn.recorded());
            assertEquals(1, requestLines(standIn, recordedBefore).size(),
                    () -> "recorded since: " + standIn.recordedSince(recordedBefore));
        } else {
            assertEquals(200, response.status(), () -> "expected 200, got " + response);
            JsonNode line = op.equals("create") ? awaitRequestLine(standIn, recordedBefore, "POST", "/containers/create")
                    : awaitRequestLine(standIn, recordedBefore, "GET", "/containers/json");
            assertTrue(line.path("connection").asInt() > lastConnection, () -> "not a fresh connection: " + line);
            JsonNode event = events.awaitSince(before, "for " + route, onRoute);
            assertUse(event, standIn, daemon, "logged", credentials, Set.of("connect"));
            GuardAssertions.assertOnlyEvents(events, before, List.of(onRoute));
        }
        service.process().assertNoUnexpectedAgentProblems();
    }

    private static void userCalls(GuardedService service, DockerStandInProcess standIn, String client) {
        int before = service.events().count();
        int recordedBefore = standIn.recorded().size();
        HttpTestClient.Response create = send(service, Credentials.USER_LOGIN, client, "create", false);
        assertEquals(200, create.status(), () -> "the user's create: " + create);
        HttpTestClient.Response list = send(service, Credentials.USER_LOGIN, client, "list", false);
        assertEquals(200, list.status(), () -> "the user's list: " + list);
        awaitRequestLine(standIn, recordedBefore, "POST", "/containers/create");
        awaitRequestLine(standIn, recordedBefore, "GET", "/containers/json");
        assertEquals(List.of(), service.events().since(before), "no event for the logged-in user's requests");
        service.process().assertNoUnexpectedAgentProblems();
    }

    /** The stand-in's request lines (not the "closed" ones) after the first {@code since} lines. */
    private static List<JsonNode> requestLines(DockerStandInProcess standIn, int since) {
        return parsed(standIn, since).stream().filter(l -> l.has("method")).toList();
    }

    private static List<JsonNode> parsed(DockerStandInProcess standIn, int since) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : standIn.recordedSince(since)) {
            try {
                lines.add(EventLog.JSON.readTree(line));
            } catch (IOException e) {
                throw new UncheckedIOException("record line " + line, e);
            }
        }
        return lines;
    }

    private static JsonNode awaitRequestLine(DockerStandInProcess standIn, int since, String method, String path) {
        return awaitLine(standIn, since, method + " " + path, l -> method.equals(l.path("method").asText())
                && l.path("path").asText().replaceFirst("^/v[0-9.]+(?=/)", "").startsWith(path));
    }

    /** Waits (bounded) for a record line after the first {@code since} that matches. */
    private static JsonNode awaitLine(DockerStandInProcess standIn, int since, String what, Predicate<JsonNode> match) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            for (JsonNode line : parsed(standIn, since)) {
                if (match.test(line)) {
                    return line;
                }
            }
            assertFalse(System.nanoTime() > deadline, () -> "the stand-in recorded no " + what + " within " + WAIT
                    + ": " + standIn.recordedSince(since));
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
