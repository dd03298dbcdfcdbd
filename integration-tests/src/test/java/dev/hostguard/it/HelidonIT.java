package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostguard.it.TestAppSlot.Expected;
import dev.hostguard.it.TestAppSlot.Op;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Helidon SE 4 ({@code test-apps/helidon}: Helidon 4.2, each connection served on a virtual thread, Helidon
 * Security), on every JDK 21+ of {@link Jdks#all()} (Temurin 25 here; elsewhere skipped with the reason), in audit and
 * block mode (one service JVM and one Docker stand-in JVM each):
 * <ul>
 *   <li>{@code /key} (the app's own {@code AuthenticationProvider} on {@code X-Service-Key}: a user subject whose
 *       principal is its {@code ServiceKeyPrincipal}): {@code exec}, {@code environ}, {@code socket} refused in
 *       block mode (the agent's 403, marker absent, the environment's bytes not read, the stand-in never saw the
 *       connection) and logged in audit mode, {@code hostguard.auth=api-key}, an {@code auth_reason} naming
 *       {@code ServiceKeyPrincipal}; {@code benign} runs with no event; {@code /anon} likewise as {@code none}</li>
 *   <li>{@code /basic} (Helidon's {@code HttpBasicAuthProvider} against a one-user store: a user subject with its
 *       {@code BasicPrivateCredentials}): every operation runs, no event</li>
 *   <li>hand-overs of a key request, each waited for ({@code Future.get}) with the exception left to propagate:
 *       {@code /key/executor/exec} (a fixed pool of platform threads, {@code work-<n>}), {@code /key/virtual/exec}
 *       (a virtual-thread-per-task executor, {@code virtual-work-<n>}): block: the agent's 403 (not Helidon's 500),
 *       audit: 200; one event, {@code hostguard.context=propagated}, submitted by the request's own virtual thread
 *       ({@code ... WebServer socket})</li>
 *   <li>one connection, one virtual thread, several requests: a key request ({@code /key/benign}) and then an
 *       {@code /anon/exec} on the same keep-alive connection, so on the same thread: the second is {@code none} with
 *       no key</li>
 * </ul>
 * Against an agent that does not know Helidon every request is outside any request: the guarded cases find no
 * event, and the untouched ones no follow-up event (the follow-up is an {@code /anon} request).
 */
class HelidonIT {
    private static final String TEST = HelidonIT.class.getSimpleName();
    private static final GuardedServer SERVER = GuardedServer.HELIDON;
    private static final List<String> MODES = List.of("audit", "block");
    private static final int MIN_FEATURE = 21;
    private static final Expected SERVICE_KEY =
            new Expected("api-key", RequestEventFields.ANY_KEY_FINGERPRINT, "ServiceKeyPrincipal");
    private static final Expected NONE = new Expected("none", null, null);
    private static final String KEY = "key (X-Service-Key -> ServiceKeyProvider, ServiceKeyPrincipal)";

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ServiceSlots SLOTS = new ServiceSlots();

    @TestFactory
    Stream<DynamicNode> helidon() {
        List<Jdks.Jdk> jdks = Jdks.all().stream().filter(jdk -> jdk.feature() >= MIN_FEATURE).toList();
        String missing = BuiltArtifacts.helidonAppMissing();
        if (jdks.isEmpty() || missing != null) {
            String why = jdks.isEmpty() ? "Helidon SE 4 needs JDK " + MIN_FEATURE + "+, and none of the JDKs is ("
                    + Jdks.all().stream().map(Jdks.Jdk::toString).collect(Collectors.joining(", "))
                    + "; install Temurin 25 under /usr/lib/jvm or name one in HOSTGUARD_IT_JDKS)" : missing;
            return Stream.of(dynamicTest("Helidon SE 4 app: skipped", () -> Assumptions.abort(why)));
        }
        return jdks.stream().map(jdk -> dynamicContainer("JDK " + jdk.version(),
                MODES.stream().map(mode -> forService(jdk, mode))));
    }

    private DynamicContainer forService(Jdks.Jdk jdk, String mode) {
        TestAppSlot app = new TestAppSlot(SLOTS, TEST, jdk, SERVER, mode, tmp.resolve(jdk.label() + "-" + mode),
                true, b -> b);
        String at = app.label();
        boolean blocking = mode.equals("block");
        String outcome = blocking ? "403, it did not happen, blocked event" : "it ran, logged event";
        UnaryOperator<HttpTestClient.Get> key = get -> app.service().withCredentials(get, Credentials.API_KEY);
        UnaryOperator<HttpTestClient.Get> login = get -> app.service().withCredentials(get, Credentials.USER_LOGIN);
        UnaryOperator<HttpTestClient.Get> nothing = get -> get;
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "start the Docker stand-in, then " + SERVER.displayName() + " with -javaagent mode="
                + mode + ", DOCKER_HOST on the stand-in, CANARY in its environment", () -> app.start(TEST)));
        for (Op op : Op.values()) {
            if (op == Op.BENIGN) {
                tests.add(dynamicTest(at + KEY + " | benign -> 200, it ran, no event",
                        () -> app.untouched("/key", op, key)));
            } else {
                tests.add(dynamicTest(at + KEY + " | " + op.path() + " -> " + outcome
                        + " (auth api-key, auth_reason names ServiceKeyPrincipal)",
                        () -> app.guarded("/key", op, key, SERVICE_KEY)));
            }
        }
        for (Op op : Op.values()) {
            if (op == Op.BENIGN) {
                tests.add(dynamicTest(at + "anon (no security handler) | benign -> 200, it ran, no event",
                        () -> app.untouched("/anon", op, nothing)));
            } else {
                tests.add(dynamicTest(at + "anon (no security handler) | " + op.path() + " -> " + outcome
                        + " (auth none, no key)", () -> app.guarded("/anon", op, nothing, NONE)));
            }
        }
        for (Op op : Op.values()) {
            tests.add(dynamicTest(at + "basic (HttpBasicAuthProvider, one-user store) | " + op.path()
                    + " -> 200, it ran, no event", () -> app.untouched("/basic", op, login)));
        }
        for (String idiom : List.of("executor", "virtual")) {
            String how = idiom.equals("executor") ? "a fixed pool's submit, Future.get"
                    : "a virtual-thread-per-task executor's submit, Future.get";
            String worker = idiom.equals("executor") ? "work-\\d+" : "virtual-work-\\d+";
            tests.add(dynamicTest(at + "key | " + idiom + "/exec (" + how + "; the exception propagates) -> "
                    + (blocking ? "the agent's 403 (not Helidon's 500), it did not run, blocked event"
                    : "it ran, logged event") + " (auth api-key), hostguard.context=propagated", () -> {
                        JsonNode event = app.guarded("/key/" + idiom, Op.EXEC, key, SERVICE_KEY);
                        JsonNode hg = event.path("hostguard");
                        assertEquals("propagated", hg.path("context").asText(), () -> "hostguard.context in " + event);
                        String thread = event.path("thread").path("name").asText("");
                        assertTrue(thread.matches(worker), () -> "not run on " + worker + ": " + event);
                        String submitter = hg.path("submitter").asText("");
                        assertTrue(submitter.endsWith("WebServer socket"),
                                () -> "hostguard.submitter is not Helidon's connection thread: " + event);
                        assertNotEquals(thread, submitter, () -> "submitted and run on one thread: " + event);
                    }));
        }
        tests.add(dynamicTest(at + "one keep-alive connection (one virtual thread): key | benign, then anon | exec -> "
                + outcome + " (auth none, no key)", () -> keyThenAnonOnOneConnection(app.service())));
        tests.add(dynamicTest(at + "stop: no agent WARN/ERROR; no key, canary or password in the events or the log",
                app::stop));
        return dynamicContainer("mode=" + mode, tests);
    }

    /**
     * Two requests on one HTTP/1.1 connection, which Helidon serves on one virtual thread: {@code /key/benign} with
     * the key (200), then {@code /anon/exec}: its process start is judged as the anonymous request's, whatever the
     * request before it on that thread was.
     */
    private static void keyThenAnonOnOneConnection(GuardedService service) throws IOException {
        URI base = service.process().baseUri();
        Path marker = service.marker("same-connection-anon-exec");
        String route = "/anon/exec";
        String anon = route + "?cmd=" + encode("touch " + marker) + "&api=process-builder&dir="
                + encode(service.markers().toString());
        int before = service.events().count();
        String second;
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.ISO_8859_1));
            out.write(("GET /key/benign HTTP/1.1\r\nHost: " + base.getAuthority() + "\r\n"
                    + SERVER.keyHeader() + ": " + service.secrets().apiKey() + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String first = in.readLine();
            assertEquals("HTTP/1.1 200 OK", first, "the key request on the shared connection");
            int length = -1;
            for (String header = in.readLine(); header != null && !header.isEmpty(); header = in.readLine()) {
                if (header.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(header.substring("content-length:".length()).trim());
                }
            }
            assertTrue(length >= 0, "the key request's answer has no Content-Length: cannot reuse the connection");
            for (int i = 0; i < length; i++) {
                in.read();
            }
            out.write(("GET " + anon + " HTTP/1.1\r\nHost: " + base.getAuthority() + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            second = in.readLine();
        }
        ProcessStartEvent expected = new ProcessStartEvent(service.blocking(), service.mode(), "none", route,
                List.of("touch", marker.toString()), service.markers(), null, SERVER.appPackage());
        if (service.blocking()) {
            GuardAssertions.assertRefused(service, "status line " + second, marker, before, expected);
            assertTrue(second != null && second.startsWith("HTTP/1.1 403"), "expected the agent's 403: " + second);
        } else {
            assertTrue(second != null && second.startsWith("HTTP/1.1 200"), "expected 200: " + second);
            JsonNode event = service.events().awaitSince(before, "for " + route,
                    EventLog.hasProcessArg(marker.toString()));
            expected.assertMatches(event);
            assertTrue(Files.exists(marker), "audit mode, yet the command did not run: " + marker);
        }
        assertFalse(service.events().since(before).stream().anyMatch(e -> e.has("api_key")),
                "an event after the key request carries a key");
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
