package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostguard.it.TestAppSlot.Op;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC calls are requests ({@code test-apps/grpc}: a plain grpc-java 1.85 service on Netty, {@code hostguard.Ops}
 * with one unary method per operation), called by a real grpc-java client, on every JDK of {@link Jdks#all()}, in
 * audit and block mode (one service JVM and one Docker stand-in JVM each):
 * <ul>
 *   <li>metadata {@code x-api-key: <key>}, {@code authorization: ApiKey <key>} (api-key) and none (none):
 *       {@code Exec}, {@code Environ}, {@code Socket} refused in block mode ({@code PERMISSION_DENIED} naming the
 *       event, marker absent, the environment's bytes not read, the stand-in never saw the connection) and logged in
 *       audit mode (it ran); the event has {@code hostguard.context=grpc}, {@code url.path=/hostguard.Ops/<Method>},
 *       {@code http.request.method=POST}; {@code Benign} runs with no event</li>
 *   <li>{@code x-service-key: <key>}, which the app's interceptor turns into a {@code ServiceKeyPrincipal} in the
 *       gRPC {@code Context} (a principal HostGuard does not attribute to a person): as an API key, the reason naming
 *       the principal</li>
 *   <li>{@code authorization: Basic}, which the app's interceptor turns into Spring Security's
 *       {@code UsernamePasswordAuthenticationToken} of a {@code UserDetails} in the gRPC {@code Context} (a user's
 *       login), and mTLS (a client certificate the server requires and verified; a self-signed pair made by the
 *       JDK's {@code keytool} for this test): every operation runs, no event ({@code user} and {@code mtls} are
 *       allowed by default)</li>
 * </ul>
 */
class GrpcIT {
    private static final String TEST = GrpcIT.class.getSimpleName();
    private static final GuardedServer SERVER = GuardedServer.GRPC;
    private static final List<String> MODES = List.of("audit", "block");
    private static final Pattern MTLS_PORT = Pattern.compile("grpc-app mtls on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern ENVIRON_READ = Pattern.compile("environ bytes=\\d+ canary=present");

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ServiceSlots SLOTS = new ServiceSlots();

    private static GrpcTestClient.Tls tls;

    @TestFactory
    Stream<DynamicNode> grpc() {
        return Jdks.all().stream().map(jdk -> dynamicContainer("JDK " + jdk.version(),
                MODES.stream().map(mode -> forService(jdk, mode))));
    }

    /** The self-signed key pair of server and client, made once for the class. */
    private static synchronized GrpcTestClient.Tls tls() throws IOException, InterruptedException {
        if (tls == null) {
            tls = GrpcTestClient.Tls.generate(tmp.resolve("tls"));
        }
        return tls;
    }

    /** The metadata a call presents. */
    enum Presents {
        X_API_KEY("x-api-key: <key>", "api-key"),
        AUTHORIZATION("authorization: ApiKey <key>", "api-key"),
        SERVICE_KEY("x-service-key: <key> (the app's interceptor: a ServiceKeyPrincipal in the gRPC Context)",
                "api-key"),
        NOTHING("nothing", "none"),
        USER_LOGIN("authorization: Basic <user> (the app's interceptor: Spring Security's"
                + " UsernamePasswordAuthenticationToken of a UserDetails in the gRPC Context)", "user");

        final String label;
        final String auth;

        Presents(String label, String auth) {
            this.label = label;
            this.auth = auth;
        }
    }

    private DynamicContainer forService(Jdks.Jdk jdk, String mode) {
        Path dir = tmp.resolve(jdk.label() + "-" + mode);
        DockerStandInProcess standIn = new DockerStandInProcess(dir.resolve("stand-in"));
        String canary = "canary-" + UUID.randomUUID().toString().replace("-", "");
        ServiceSlot slot = SLOTS.add(new ServiceSlot(TEST, jdk, SERVER, mode, dir, b -> {
            try {
                return b.env("CANARY", canary).env("DOCKER_HOST", standIn.dockerHost())
                        .env("TLS_KEYSTORE", tls().keyStore().toString()).env("TLS_PASSWORD", tls().password());
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException("no key pair for the service", e);
            }
        }));
        Calls calls = new Calls(slot, standIn);
        String at = slot.label();
        boolean blocking = mode.equals("block");
        String outcome = blocking ? "PERMISSION_DENIED naming the event, it did not happen, blocked event"
                : "it ran, logged event";
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "start the Docker stand-in, then the grpc-java service with -javaagent mode="
                + mode + ", DOCKER_HOST on the stand-in, CANARY in its environment", () -> {
                    slot.onStop(standIn);
                    standIn.start(TEST, jdk, TEST + " docker stand-in on " + jdk.label() + " mode=" + mode);
                    slot.start();
                    slot.onStop(calls); // the client's channels, closed first
                    calls.connect(tls());
                }));
        for (Presents presents : Presents.values()) {
            for (Op op : Op.values()) {
                String name = at + "metadata " + presents.label + " | " + GrpcTestClient.method(op) + " -> ";
                tests.add(op == Op.BENIGN || presents == Presents.USER_LOGIN
                        ? dynamicTest(name + "it ran, no event", () -> calls.untouched(presents, op))
                        : dynamicTest(name + outcome + " (auth " + presents.auth + ", hostguard.context grpc)",
                                () -> calls.guarded(presents, op)));
            }
        }
        tests.add(dynamicTest(at + "metadata nothing | hostguard.Ops/ExecEach (client streaming: the command in a"
                + " message, run in grpc-java's messagesAvailable) -> " + outcome, calls::streamedExec));
        tests.add(dynamicTest(at + "metadata nothing | hostguard.Ops/EnvironOnOpen (bidirectional: the environment read"
                + " in the method's body, run in the handler's startCall) -> " + outcome, calls::environOnOpen));
        for (Op op : Op.values()) {
            tests.add(dynamicTest(at + "mTLS (verified client certificate) | " + GrpcTestClient.method(op)
                    + " -> it ran, no event", () -> calls.untouchedOverMtls(op)));
        }
        tests.add(dynamicTest(at + "stop: no agent WARN/ERROR; no key or canary in the events or the log", () -> {
            GuardedService service = slot.require();
            slot.stop();
            assertFalse(service.events().rawText().contains(canary), "the canary is in the events file");
            assertFalse(service.process().logText().contains(canary), "the canary is in the service's log");
        }));
        return dynamicContainer("mode=" + mode, tests);
    }

    /** The calls of one service: each proves on the host what ran, and what the events say. */
    private static final class Calls implements AutoCloseable {
        private final ServiceSlot slot;
        private final DockerStandInProcess standIn;
        private GrpcTestClient plain;
        private GrpcTestClient mtls;
        private int markers;

        Calls(ServiceSlot slot, DockerStandInProcess standIn) {
            this.slot = slot;
            this.standIn = standIn;
        }

        void connect(GrpcTestClient.Tls tls) {
            GuardedService service = slot.require();
            plain = GrpcTestClient.plainText(service.process().port());
            Matcher port = service.process().awaitLine(MTLS_PORT, Duration.ofSeconds(10));
            mtls = GrpcTestClient.mutualTls(Integer.parseInt(port.group(1)), tls);
        }

        private GrpcTestClient.Answer call(GrpcTestClient client, Presents presents, Op op, String request) {
            GuardedService service = slot.require();
            String key = service.secrets().apiKey();
            return switch (presents) {
                case X_API_KEY -> client.call(op, request, "x-api-key", key);
                case AUTHORIZATION -> client.call(op, request, "authorization", "ApiKey " + key);
                case SERVICE_KEY -> client.call(op, request, "x-service-key", key);
                case NOTHING -> client.call(op, request, null, null);
                case USER_LOGIN -> client.call(op, request, "authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((service.secrets().opsUser() + ":" + service.secrets().opsPassword())
                                .getBytes(StandardCharsets.UTF_8)));
            };
        }

        /** A call the agent must refuse (block) or log (audit), proven on the host and in its one event. */
        void guarded(Presents presents, Op op) {
            GuardedService service = slot.require();
            int before = service.events().count();
            int recordedBefore = standIn.recorded().size();
            Path marker = service.marker("grpc-" + presents.name().toLowerCase() + "-" + (++markers));
            GrpcTestClient.Answer answer = call(plain, presents, op, op == Op.EXEC ? "touch " + marker : "");
            String path = "/" + GrpcTestClient.method(op);
            String rule = switch (op) {
                case EXEC -> "process-start";
                case ENVIRON -> "proc-environ";
                case SOCKET -> "runtime-socket";
                case BENIGN -> throw new IllegalArgumentException("benign is never a finding");
            };
            if (service.blocking()) {
                // the host first: what the refused call would have left is not there
                switch (op) {
                    case EXEC -> assertFalse(Files.exists(marker), "blocked, yet the command ran: " + marker);
                    case ENVIRON -> assertFalse(answer.text().contains("environ bytes="),
                            () -> "blocked, yet /proc/self/environ was read: " + answer);
                    case SOCKET -> {
                        // a later allowed connect (over mTLS) is recorded, and nothing before it
                        GrpcTestClient.Answer followUp = mtls.call(Op.SOCKET, "", null, null);
                        assertEquals("OK", followUp.code(), () -> "the mTLS follow-up connect failed: " + followUp);
                        List<String> since = standIn.recordedSince(recordedBefore);
                        assertEquals(1, since.size(), () -> "blocked, yet the stand-in accepted a connection "
                                + "before the follow-up's: " + since);
                    }
                    default -> throw new IllegalStateException();
                }
                assertEquals("PERMISSION_DENIED", answer.code(), () -> "expected the agent's refusal: " + answer);
            } else {
                assertEquals("OK", answer.code(), () -> "audit mode, yet the call failed: " + answer);
                switch (op) {
                    case EXEC -> assertTrue(Files.exists(marker), "audit mode, yet the command did not run: " + marker);
                    case ENVIRON -> assertTrue(ENVIRON_READ.matcher(answer.text()).matches(),
                            () -> "/proc/self/environ was not read (or without the service's CANARY): " + answer);
                    case SOCKET -> {
                        assertEquals("status=200\nOK", answer.text().strip(), () -> "the stand-in's answer: " + answer);
                        assertEquals(1, standIn.recordedSince(recordedBefore).size(), "the stand-in's record");
                    }
                    default -> throw new IllegalStateException();
                }
            }
            JsonNode event = theEvent(service, before, path, rule, presents, answer);
            if (op == Op.EXEC) {
                assertEquals(List.of("touch", marker.toString()), argsOf(event), () -> "process.args in " + event);
            }
        }

        /**
         * {@code ExecEach} (client streaming) with no metadata, the command its one message: run by grpc-java's
         * {@code messagesAvailable} callback; refused (block) or logged (audit) as a unary call's.
         */
        void streamedExec() {
            GuardedService service = slot.require();
            int before = service.events().count();
            Path marker = service.marker("grpc-exec-each-" + (++markers));
            GrpcTestClient.Answer answer = plain.stream("ExecEach", MethodDescriptor.MethodType.CLIENT_STREAMING,
                    List.of("touch " + marker));
            if (service.blocking()) {
                assertFalse(Files.exists(marker), "blocked, yet the command ran: " + marker);
                assertEquals("PERMISSION_DENIED", answer.code(), () -> "expected the agent's refusal: " + answer);
            } else {
                assertEquals("OK", answer.code(), () -> "audit mode, yet the call failed: " + answer);
                assertTrue(Files.exists(marker), "audit mode, yet the command did not run: " + marker);
            }
            JsonNode event = theEvent(service, before, "/hostguard.Ops/ExecEach", "process-start", Presents.NOTHING,
                    answer);
            assertEquals(List.of("touch", marker.toString()), argsOf(event), () -> "process.args in " + event);
        }

        /**
         * {@code EnvironOnOpen} (bidirectional) with no metadata: the environment read in the method's body, which
         * grpc-java runs in the handler's {@code startCall}; refused (block) or logged (audit).
         */
        void environOnOpen() {
            GuardedService service = slot.require();
            int before = service.events().count();
            GrpcTestClient.Answer answer = plain.stream("EnvironOnOpen", MethodDescriptor.MethodType.BIDI_STREAMING,
                    List.of("echo"));
            if (service.blocking()) {
                assertFalse(answer.text().contains("environ bytes="),
                        () -> "blocked, yet /proc/self/environ was read: " + answer);
                assertEquals("PERMISSION_DENIED", answer.code(), () -> "expected the agent's refusal: " + answer);
            } else {
                assertEquals("OK", answer.code(), () -> "audit mode, yet the call failed: " + answer);
                List<String> lines = answer.text().lines().toList();
                assertTrue(lines.size() == 2 && ENVIRON_READ.matcher(lines.get(0)).matches()
                        && lines.get(1).equals("echo"), () -> "expected the environment, then the echo: " + answer);
            }
            theEvent(service, before, "/hostguard.Ops/EnvironOnOpen", "proc-environ", Presents.NOTHING, answer);
        }

        /**
         * The one event since {@code before}, for {@code path} and {@code rule}, as {@link #assertEvent} says; in
         * block mode the status description names it.
         */
        private static JsonNode theEvent(GuardedService service, int before, String path, String rule,
                                         Presents presents, GrpcTestClient.Answer answer) {
            EventLog events = service.events();
            Predicate<JsonNode> identifies = e -> path.equals(e.path("url").path("path").asText())
                    && rule.equals(e.path("hostguard").path("rule").asText());
            JsonNode event = events.awaitSince(before, "for " + path, identifies);
            GuardAssertions.assertOnlyEvents(events, before, List.of(identifies));
            assertEvent(event, service, presents, rule);
            if (service.blocking()) {
                String description = answer.description();
                assertTrue(description != null && description.contains("event_id " + event.path("event").path("id")
                        .asText()), () -> "the status description does not name the event " + event + ": " + answer);
            }
            service.process().assertNoUnexpectedAgentProblems();
            return event;
        }

        private static void assertEvent(JsonNode event, GuardedService service, Presents presents, String rule) {
            List<String> problems = new ArrayList<>();
            JsonNode hg = event.path("hostguard");
            RequestEventFields.check(problems, "hostguard.decision", service.blocking() ? "blocked" : "logged",
                    hg.path("decision"));
            RequestEventFields.check(problems, "hostguard.mode", service.mode(), hg.path("mode"));
            RequestEventFields.check(problems, "hostguard.rule", rule, hg.path("rule"));
            RequestEventFields.check(problems, "hostguard.auth", presents.auth, hg.path("auth"));
            RequestEventFields.check(problems, "hostguard.context", "grpc", hg.path("context"));
            RequestEventFields.check(problems, "http.request.method", "POST",
                    event.path("http").path("request").path("method"));
            RequestEventFields.check(problems, "client.ip", "127.0.0.1", event.path("client").path("ip"));
            if (presents == Presents.NOTHING) {
                if (event.has("api_key")) {
                    problems.add("api_key present although no key was sent: " + event.path("api_key"));
                }
            } else if (presents == Presents.SERVICE_KEY) { // the key is the app's: the principal stands for it
                if (!hg.path("auth_reason").asText("").contains("ServiceKeyPrincipal")) {
                    problems.add("hostguard.auth_reason does not name ServiceKeyPrincipal: " + hg.path("auth_reason"));
                }
            } else {
                RequestEventFields.check(problems, "api_key.fingerprint", service.secrets().apiKeyFingerprint(),
                        event.path("api_key").path("fingerprint"));
            }
            JsonNode frames = hg.path("frames");
            if (!frames.isArray() || frames.isEmpty()
                    || !frames.get(0).asText().startsWith(SERVER.appPackage())) {
                problems.add("hostguard.frames[0] is not the service's code: " + frames);
            }
            assertTrue(problems.isEmpty(), () -> String.join("\n  ", problems) + "\n  in event " + event);
        }

        private static List<String> argsOf(JsonNode event) {
            List<String> args = new ArrayList<>();
            event.path("process").path("args").forEach(a -> args.add(a.asText()));
            return args;
        }

        /** A call the agent leaves alone (benign, or a user's): it ran, and no event came of it. */
        void untouched(Presents presents, Op op) {
            untouched(plain, presents, op);
        }

        /** Over mTLS every operation runs and none logs. */
        void untouchedOverMtls(Op op) {
            untouched(mtls, Presents.NOTHING, op);
        }

        private void untouched(GrpcTestClient client, Presents presents, Op op) {
            GuardedService service = slot.require();
            int before = service.events().count();
            int recordedBefore = standIn.recorded().size();
            Path marker = service.marker("grpc-untouched-" + (++markers));
            GrpcTestClient.Answer answer = call(client, presents, op, op == Op.EXEC ? "touch " + marker : "");
            assertEquals("OK", answer.code(), () -> "the call failed: " + answer);
            switch (op) {
                case EXEC -> assertTrue(Files.exists(marker), "the command did not run: " + marker);
                case ENVIRON -> assertTrue(ENVIRON_READ.matcher(answer.text()).matches(), answer::toString);
                case SOCKET -> assertEquals(1, standIn.recordedSince(recordedBefore).size(), "the stand-in's record");
                case BENIGN -> assertTrue(answer.text().startsWith("benign bytes="), answer::toString);
            }
            assertNothingSince(service, before);
        }

        /** Events are written while a call is served: once a later call's event is there, an earlier one would be. */
        private void assertNothingSince(GuardedService service, int before) {
            String path = "/" + GrpcTestClient.method(Op.ENVIRON);
            service.events().assertNothingLoggedSince(before, "for the call before", () -> {
                GrpcTestClient.Answer followUp = plain.call(Op.ENVIRON, "", null, null);
                assertEquals(service.blocking() ? "PERMISSION_DENIED" : "OK", followUp.code(), followUp::toString);
            }, e -> path.equals(e.path("url").path("path").asText()));
        }

        @Override
        public void close() throws InterruptedException {
            for (GrpcTestClient client : new GrpcTestClient[] {plain, mtls}) {
                if (client != null) {
                    client.close();
                }
            }
            plain = null;
            mtls = null;
        }
    }
}
