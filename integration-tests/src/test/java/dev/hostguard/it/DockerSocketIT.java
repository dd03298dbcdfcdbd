package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostguard.demo.dockerstandin.DockerStandIn;
import dev.hostguard.it.FileShapes.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The seed scenario's last step: with a leaked API key (or on a forgotten route), ask Docker for a privileged
 * container that mounts the host's root. The demo speaks the Docker Engine API over {@code DOCKER_HOST}, here a
 * {@link DockerStandIn} started the way the README shows ({@code java -cp hostguard-demo.jar ...DockerStandIn
 * <socket> <record>}, its own JVM, without the agent: {@link DockerStandInProcess}) on {@code <temp>/docker.sock}.
 *
 * <p>On every JDK, in audit and block mode (one demo JVM and one stand-in JVM each):
 * <ul>
 *   <li>{@code /admin/docker/run} and {@code /admin/docker/containers} with the API key, and
 *       {@code /public/exec?api=docker-run} with nothing: audit: 200, the stand-in recorded the request (the
 *       privileged {@code /:/host} create, or the list), one {@code unix-connect} event logged with rule
 *       {@code runtime-socket}; block: the agent's 403 naming the event, and the stand-in never accepted the
 *       connection (its record has no line for it, proved once a later allowed request's line is there: the
 *       stand-in serves connections one at a time, in order)</li>
 *   <li>the same anonymous create through a hard link to the socket under another name ({@code innocent} beside
 *       {@code docker.sock}, made by the test): judged as the socket it is (the event's path the socket's, its
 *       original path the link's)</li>
 *   <li>{@code /ops/exec?api=docker-run} with the BASIC login: 200, recorded, no event</li>
 *   <li>at the end the stand-in's record is one JSON object per line and its socket file is gone</li>
 * </ul>
 */
class DockerSocketIT {
    private static final String TEST = DockerSocketIT.class.getSimpleName();
    private static final List<String> MODES = List.of("audit", "block");

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ServiceSlots SLOTS = new ServiceSlots();
    private static final List<DockerStandInProcess> STAND_INS = new ArrayList<>();

    /** One request that reaches Docker. */
    /**
     * @param link {@code null}: the socket {@code DOCKER_HOST} names; else the name of a hard link to it beside it, which
     *             the call connects to instead (a name no rule knows)
     */
    private record DockerCall(String name, Credentials credentials, String route, String api, String method,
                              String dockerPath, String answer, String link) {
        DockerCall(String name, Credentials credentials, String route, String api, String method, String dockerPath,
                   String answer) {
            this(name, credentials, route, api, method, dockerPath, answer, null);
        }
    }

    private static final List<DockerCall> GUARDED_CALLS = List.of(
            new DockerCall("privileged container with the host's / mounted (POST /containers/create)",
                    Credentials.API_KEY, "/admin/docker/run", null, "POST", "/containers/create", "status=201"),
            new DockerCall("container list (GET /containers/json)",
                    Credentials.API_KEY, "/admin/docker/containers", null, "GET", "/containers/json", "status=200"),
            new DockerCall("privileged container with the host's / mounted, on the forgotten route",
                    Credentials.NONE, "/public/exec", "docker-run", "POST", "/containers/create", "status=201"),
            new DockerCall("privileged container through a hard link to the socket under another name (innocent)",
                    Credentials.NONE, "/public/exec", "docker-run", "POST", "/containers/create", "status=201",
                    "innocent"));

    private static final DockerCall USER_RUN = new DockerCall("privileged container, as the logged-in user",
            Credentials.USER_LOGIN, "/ops/exec", "docker-run", "POST", "/containers/create", "status=201");
    private static final DockerCall USER_LIST = new DockerCall("container list, as the logged-in user",
            Credentials.USER_LOGIN, "/ops/exec", "docker-list", "GET", "/containers/json", "status=200");

    @TestFactory
    Stream<DynamicNode> dockerSocket() {
        return Jdks.all().stream().map(jdk -> dynamicContainer("JDK " + jdk.version(),
                MODES.stream().map(mode -> forService(jdk, mode))));
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

    private DynamicContainer forService(Jdks.Jdk jdk, String mode) {
        Path dir = tmp.resolve(jdk.label() + "-" + mode);
        DockerStandInProcess standIn = new DockerStandInProcess(dir);
        Path socket = standIn.socket();
        ServiceSlot slot = new ServiceSlot(TEST, jdk, GuardedServer.DEMO, mode, dir,
                b -> b.env("DOCKER_HOST", standIn.dockerHost()));
        SLOTS.add(slot);
        String at = slot.label();
        boolean blocking = mode.equals("block");
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "start the Docker stand-in (java -cp hostguard-demo.jar " + DockerStandIn.class.getName()
                + " <dir>/docker.sock <record>), then the demo with DOCKER_HOST=unix://<dir>/docker.sock", () -> {
                    synchronized (STAND_INS) {
                        STAND_INS.add(standIn);
                    }
                    standIn.start(TEST, jdk, TEST + " docker stand-in on " + jdk.label() + " mode=" + mode);
                    Files.createLink(socket.resolveSibling("innocent"), socket);
                    slot.start();
                }));
        for (DockerCall call : GUARDED_CALLS) {
            String outcome = blocking ? "agent's 403, the stand-in never accepted the connection, event blocked"
                    : "200, the stand-in received it, event logged";
            tests.add(dynamicTest(at + call.name() + ": GET " + call.route() + " as " + call.credentials().authClass()
                    + " -> " + outcome, () -> guardedCall(slot.require(), standIn, call)));
        }
        tests.add(dynamicTest(at + USER_RUN.name() + ": GET /ops/exec?api=docker-run with the BASIC login -> 200, the "
                + "stand-in received it, no event", () -> userCall(slot.require(), standIn)));
        tests.add(dynamicTest(at + "stop the demo (no agent WARN/ERROR, no leaked key) and the stand-in: its record is "
                + "one JSON object per line, its socket file is gone", () -> {
                    slot.stop();
                    if (!standIn.started()) {
                        Assumptions.abort("the stand-in did not start");
                    }
                    standIn.close();
                    for (String line : standIn.recorded()) {
                        JsonNode json = EventLog.JSON.readTree(line);
                        assertTrue(json.path("method").isTextual() && json.path("path").isTextual()
                                && json.path("body").isTextual(), () -> "record line without method/path/body: " + line);
                    }
                    assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "the stand-in left its socket behind");
                }));
        return dynamicContainer("mode=" + mode, tests);
    }

    private static HttpTestClient.Response send(GuardedService service, DockerCall call, Path socket) {
        HttpTestClient.Get get = HttpTestClient.get(service.process().baseUri(), call.route());
        if (call.api() != null) {
            get.query("api", call.api());
        }
        if (call.link() != null) {
            get.query("socket", socket.resolveSibling(call.link()).toString());
        }
        return service.withCredentials(get, call.credentials()).send();
    }

    private static void guardedCall(GuardedService service, DockerStandInProcess standIn, DockerCall call)
            throws IOException {
        EventLog events = service.events();
        int before = events.count();
        int recordedBefore = standIn.recorded().size();
        Path socket = standIn.socket();

        HttpTestClient.Response response = send(service, call, standIn.socket());

        FileAccessEvent expected = new FileAccessEvent(service.blocking(), service.mode(),
                call.credentials().authClass(), call.route(), Kind.CONNECT, "runtime-socket",
                List.of(Pattern.compile(Pattern.quote(socket.getParent().toRealPath().resolve("docker.sock").toString()))),
                call.link() == null ? socket.toString() : socket.resolveSibling(call.link()).toString(),
                service.workingDirectory(), true,
                call.credentials() == Credentials.API_KEY ? service.secrets().apiKeyFingerprint() : null);
        if (service.blocking()) {
            // host side first: a later allowed call is recorded, and nothing before it
            HttpTestClient.Response followUp = send(service, USER_LIST, standIn.socket());
            assertEquals(200, followUp.status(), () -> "the logged-in follow-up failed: " + followUp);
            List<String> since = standIn.recordedSince(recordedBefore);
            assertEquals(1, since.size(), () -> "blocked, yet the stand-in accepted a connection before the "
                    + "follow-up's: " + since);
            assertTrue(since.get(0).contains("\"path\":\"/containers/json\""), () -> "recorded: " + since);
            JsonNode event = events.awaitSince(before, "for " + call.route(), expected.identifies());
            expected.assertMatches(event);
            GuardAssertions.assertOnlyEvents(events, before, List.of(expected.identifies()));
            String eventId = ProcessStartEvent.assertBlockResponse(response, "runtime-socket");
            assertEquals(event.path("event").path("id").asText(), eventId, "403 event_id vs the event's event.id");
        } else {
            assertEquals(200, response.status(), () -> "expected 200, got " + response);
            assertTrue(response.body().startsWith(call.answer()), () -> "the stand-in's answer: " + response.body());
            assertReceived(standIn, recordedBefore, call);
            JsonNode event = events.awaitSince(before, "for " + call.route(), expected.identifies());
            expected.assertMatches(event);
            GuardAssertions.assertOnlyEvents(events, before, List.of(expected.identifies()));
        }
        GuardAssertions.assertKeyNotLeaked(service);
        service.process().assertNoUnexpectedAgentProblems();
    }

    private static void userCall(GuardedService service, DockerStandInProcess standIn) throws IOException {
        int before = service.events().count();
        int recordedBefore = standIn.recorded().size();
        HttpTestClient.Response response = send(service, USER_RUN, standIn.socket());
        assertEquals(200, response.status(), () -> "expected 200, got " + response);
        assertTrue(response.body().startsWith(USER_RUN.answer()), () -> "the stand-in's answer: " + response.body());
        assertReceived(standIn, recordedBefore, USER_RUN);
        Path marker = service.marker("after-user-docker-run");
        service.events().assertNothingLoggedSince(before, "for the logged-in user's docker-run",
                () -> service.exec(Credentials.NONE, "process-builder", "touch " + marker).send(),
                EventLog.hasProcessArg(marker.toString()));
        service.process().assertNoUnexpectedAgentProblems();
    }

    /** The stand-in recorded exactly this call since {@code recordedBefore}; a create carries the privileged body. */
    private static void assertReceived(DockerStandInProcess standIn, int recordedBefore, DockerCall call)
            throws IOException {
        List<String> since = standIn.recordedSince(recordedBefore);
        assertEquals(1, since.size(), () -> "expected the stand-in to record this one request: " + since);
        JsonNode line = EventLog.JSON.readTree(since.get(0));
        assertEquals(call.method(), line.path("method").asText(), "recorded method");
        assertEquals(call.dockerPath(), line.path("path").asText(), "recorded path");
        if (call.dockerPath().equals("/containers/create")) {
            JsonNode body = EventLog.JSON.readTree(line.path("body").asText());
            assertTrue(body.path("HostConfig").path("Privileged").asBoolean(), "the create asks for a privileged container");
            assertEquals("/:/host", body.path("HostConfig").path("Binds").path(0).asText(), "the create mounts the host's /");
        }
    }
}
