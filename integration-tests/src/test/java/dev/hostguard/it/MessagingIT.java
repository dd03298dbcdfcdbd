package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostguard.it.TestAppSlot.Op;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Message consumers ({@code test-apps/messaging}: a JMS {@code MessageListener} on queue {@code orders} of an
 * embedded ActiveMQ Artemis broker, and a plain {@code KafkaConsumer} poll loop on topic {@code orders} of a real
 * one-node KRaft broker, {@link KafkaBrokerProcess}, one for the class), each running the host operation a message
 * names, on every JDK, in block mode, one service JVM (and one Docker stand-in JVM) per policy, both consumers in
 * it:
 * <ul>
 *   <li>the default policy ({@code message: log}): {@code exec}, {@code environ} and {@code socket} run (marker
 *       there, the environment's canary read, the stand-in answered) with a {@code logged} event, even in block mode;
 *       {@code benign} runs with no event</li>
 *   <li>{@code auth: {message: block}}: the three are refused (the listener gets HostGuard's exception: marker
 *       absent, no byte of the environment read, the stand-in never accepted the connection) with a {@code blocked}
 *       event; {@code benign} runs with no event</li>
 * </ul>
 * Every event: {@code hostguard.context=message}, {@code hostguard.auth=message}, {@code url.path=/orders},
 * {@code messaging.system=jms|kafka}, {@code messaging.destination.name=orders}, no HTTP fields, the consumer's
 * thread and code.
 * The messages are sent by a thread of the app's own start-up, outside any request: the HTTP request that asks for
 * one ({@code GET /send}, no credentials) only queues it and waits for the listener's report, so nothing of it
 * travels with the message.
 */
class MessagingIT {
    private static final String TEST = MessagingIT.class.getSimpleName();
    private static final GuardedServer SERVER = GuardedServer.MESSAGING;
    private static final String QUEUE = "orders";

    /** A consumer of the app: its messaging system, the thread it handles messages on, its handling method. */
    private enum Consumer {
        JMS("jms", ".*ActiveMQ-client-global-threads.*", "OperationListener.onMessage"),
        KAFKA("kafka", "messaging-app-kafka-consumer", "RecordLoop.handle");

        final String system;
        final String thread;
        final String frame;

        Consumer(String system, String thread, String frame) {
            this.system = system;
            this.thread = thread;
            this.frame = frame;
        }
    }

    /** The Kafka broker every service of the class consumes from: started with the first, stopped after the last. */
    private static KafkaBrokerProcess kafka;

    /** A policy the service runs with, and whether it refuses a message's findings. */
    private enum Policy {
        DEFAULT("default policy (message: log)", null, false),
        MESSAGE_BLOCK("policy auth: {message: block}", "version: 1\nauth:\n  message: block\n", true);

        final String label;
        final String yaml;
        final boolean refuses;

        Policy(String label, String yaml, boolean refuses) {
            this.label = label;
            this.yaml = yaml;
            this.refuses = refuses;
        }
    }

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ServiceSlots SLOTS = new ServiceSlots();

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static synchronized KafkaBrokerProcess kafka() throws IOException {
        if (kafka == null) {
            kafka = KafkaBrokerProcess.start(TEST, tmp.resolve("kafka"), QUEUE);
        }
        return kafka;
    }

    @TestFactory
    Stream<DynamicNode> messaging() {
        return Jdks.all().stream().map(jdk -> dynamicContainer("JDK " + jdk.version(),
                Stream.of(Policy.values()).map(policy -> forService(jdk, policy))));
    }

    private DynamicContainer forService(Jdks.Jdk jdk, Policy policy) {
        Path dir = tmp.resolve(jdk.label() + "-" + policy.name().toLowerCase(java.util.Locale.ROOT));
        UnaryOperator<ServiceProcess.Builder> withPolicy = policy.yaml == null ? b -> b
                : GuardedService.withPolicy(dir.resolve("policy.yaml"), policy.yaml);
        TestAppSlot app = new TestAppSlot(SLOTS, TEST, jdk, SERVER, "block", dir, true,
                b -> withPolicy.apply(b.env("KAFKA_BOOTSTRAP", kafka.bootstrap())));
        String at = app.label() + policy.label + " | ";
        String outcome = policy.refuses ? "refused (the listener gets the exception), it did not happen, blocked event"
                : "it ran, logged event";
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "start the Kafka broker (once for the class), the Docker stand-in, then the "
                + "consumers with -javaagent mode=block, KAFKA_BOOTSTRAP, DOCKER_HOST on the stand-in, CANARY in its "
                + "environment", () -> {
                    kafka();
                    app.start(TEST);
                }));
        for (Consumer consumer : Consumer.values()) {
            String in = " in " + consumer.frame + " (" + consumer.system + ") -> ";
            tests.add(dynamicTest(at + "exec (touch <marker>)" + in + outcome,
                    () -> exec(app, consumer, policy.refuses)));
            tests.add(dynamicTest(at + "environ (/proc/self/environ)" + in + outcome,
                    () -> environ(app, consumer, policy.refuses)));
            tests.add(dynamicTest(at + "socket (the Docker stand-in)" + in + outcome,
                    () -> socket(app, consumer, policy.refuses)));
            tests.add(dynamicTest(at + "benign read" + in + "it ran, no event", () -> benign(app, consumer)));
        }
        tests.add(dynamicTest(at + "stop: no agent WARN/ERROR; no key, canary or password in the events or the log",
                app::stop));
        return dynamicContainer(policy.label, tests);
    }

    private static void exec(TestAppSlot app, Consumer consumer, boolean refused) throws IOException {
        GuardedService service = app.service();
        Path marker = service.marker("message-" + consumer.system + "-exec-" + System.nanoTime());
        int before = service.events().count();
        String answer = send(service, consumer, Op.EXEC, "touch " + marker);
        Predicate<JsonNode> thisStart = EventLog.hasProcessArg(marker.toString());
        if (refused) {
            assertFalse(Files.exists(marker), () -> "refused, yet the command ran: " + marker);
            assertRefusedAnswer(answer);
        } else {
            assertTrue(answer.startsWith("exit=0"), () -> "the command did not run: " + answer);
            assertTrue(Files.exists(marker), () -> "the command ran, yet no marker: " + marker);
        }
        JsonNode event = onlyEvent(service, consumer, before, "for " + marker, thisStart, refused);
        assertEquals("process-start", event.path("hostguard").path("rule").asText(), () -> "rule: " + event);
        if (refused) {
            assertFalse(Files.exists(marker), () -> "refused, yet the command ran: " + marker);
            assertTrue(answer.contains(event.path("event").path("id").asText()),
                    () -> "the listener's exception does not name event " + event + ": " + answer);
        }
    }

    private static void environ(TestAppSlot app, Consumer consumer, boolean refused) throws IOException {
        GuardedService service = app.service();
        int before = service.events().count();
        String answer = send(service, consumer, Op.ENVIRON, null);
        if (refused) {
            assertFalse(answer.contains("environ bytes="), () -> "refused, yet the environment was read: " + answer);
            assertRefusedAnswer(answer);
        } else {
            assertTrue(answer.matches("environ bytes=\\d+ canary=present"),
                    () -> "/proc/self/environ was not read (or without the canary): " + answer);
        }
        String environ = "/proc/" + service.pid() + "/environ";
        JsonNode event = onlyEvent(service, consumer, before, "for " + environ,
                e -> environ.equals(e.path("file").path("path").asText()), refused);
        assertEquals("proc-environ", event.path("hostguard").path("rule").asText(), () -> "rule: " + event);
        assertEquals("/proc/self/environ", event.path("file").path("original_path").asText(), () -> "file: " + event);
    }

    private static void socket(TestAppSlot app, Consumer consumer, boolean refused) throws IOException {
        GuardedService service = app.service();
        DockerStandInProcess standIn = app.standIn();
        int recordedBefore = standIn.recorded().size();
        int before = service.events().count();
        String answer = send(service, consumer, Op.SOCKET, null);
        if (refused) {
            assertRefusedAnswer(answer);
            // the stand-in serves connections one at a time, in order: ours recorded alone means the app's never was
            assertTrue(pingFromTheTest(standIn.socket()).startsWith("HTTP/1.1 200"), "the test's own ping failed");
            List<String> since = standIn.recordedSince(recordedBefore);
            assertEquals(1, since.size(), () -> "refused, yet the stand-in accepted the app's connection: " + since);
        } else {
            assertEquals("status=200\nOK", answer.strip(), () -> "the stand-in's answer: " + answer);
            List<String> since = standIn.recordedSince(recordedBefore);
            assertEquals(1, since.size(), () -> "expected the stand-in to record this one request: " + since);
        }
        String socket = standIn.socket().getParent().toRealPath().resolve("docker.sock").toString();
        JsonNode event = onlyEvent(service, consumer, before, "for the stand-in's socket",
                e -> socket.equals(e.path("file").path("path").asText()), refused);
        assertEquals("runtime-socket", event.path("hostguard").path("rule").asText(), () -> "rule: " + event);
    }

    /** The benign read runs and writes nothing: once a later exec's event is there, it is the only one since. */
    private static void benign(TestAppSlot app, Consumer consumer) throws IOException {
        GuardedService service = app.service();
        int before = service.events().count();
        String answer = send(service, consumer, Op.BENIGN, null);
        assertTrue(answer.matches("benign bytes=\\d+"), () -> "the benign read: " + answer);
        Path followUp = service.marker("message-" + consumer.system + "-benign-follow-up");
        service.events().assertNothingLoggedSince(before, "for the benign read",
                () -> send(service, consumer, Op.EXEC, "touch " + followUp), EventLog.hasProcessArg(followUp.toString()));
        service.process().assertNoUnexpectedAgentProblems();
    }

    /** {@code GET /send?op=...}: the listener's report on the message, once it handled it. */
    private static String send(GuardedService service, Consumer consumer, Op op, String cmd) {
        HttpTestClient.Get get = HttpTestClient.get(service.process().baseUri(), "/send")
                .query("system", consumer.system).query("op", op.path());
        if (cmd != null) {
            get = get.query("cmd", cmd);
        }
        HttpTestClient.Response response = get.send();
        assertEquals(200, response.status(), () -> "the app could not hand over the message: " + response);
        return response.body();
    }

    private static void assertRefusedAnswer(String answer) {
        assertTrue(answer.startsWith("refused ") && answer.contains("blocked by HostGuard"),
                () -> "the listener did not get HostGuard's refusal: " + answer);
    }

    /**
     * The one event since {@code before}, {@code blocked} or {@code logged}, with the message's fields: context and
     * class {@code message}, the queue as route and destination, the messaging system, no HTTP fields.
     */
    private static JsonNode onlyEvent(GuardedService service, Consumer consumer, int before, String what,
                                      Predicate<JsonNode> identifies, boolean refused) {
        JsonNode event = service.events().awaitSince(before, what, identifies);
        GuardAssertions.assertOnlyEvents(service.events(), before, List.of(identifies));
        JsonNode hg = event.path("hostguard");
        assertEquals(refused ? "blocked" : "logged", hg.path("decision").asText(), () -> "decision: " + event);
        assertEquals(refused ? "failure" : "success", event.path("event").path("outcome").asText(),
                () -> "outcome: " + event);
        assertEquals("message", hg.path("context").asText(), () -> "hostguard.context: " + event);
        assertEquals("message", hg.path("auth").asText(), () -> "hostguard.auth: " + event);
        assertEquals("/" + QUEUE, event.path("url").path("path").asText(), () -> "url.path: " + event);
        assertEquals(consumer.system, event.path("messaging").path("system").asText(), () -> "messaging.system: " + event);
        assertEquals(QUEUE, event.path("messaging").path("destination").path("name").asText(),
                () -> "messaging.destination.name: " + event);
        assertTrue(event.path("http").isMissingNode() && event.path("client").isMissingNode(),
                () -> "HTTP fields in a message's event: " + event);
        assertTrue(event.path("thread").path("name").asText().matches(consumer.thread),
                () -> "not the consumer's thread: " + event);
        assertTrue(hg.path("frames").toString().contains(consumer.frame),
                () -> "the consumer's code is not among the frames: " + event);
        service.process().assertNoUnexpectedAgentProblems();
        return event;
    }

    /** {@code GET /_ping} on the stand-in from the test's own JVM (no agent): its status line. */
    private static String pingFromTheTest(Path socket) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer request = ByteBuffer.wrap("GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            while (request.hasRemaining()) {
                channel.write(request);
            }
            return new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
