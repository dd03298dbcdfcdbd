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
import java.nio.file.StandardCopyOption;
import java.time.Duration;
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
 * Message consumers, each running the host operation a message names, in two apps: {@code test-apps/messaging}, the
 * clients' own APIs (a JMS {@code MessageListener} on queue {@code orders} of an embedded ActiveMQ Artemis broker, a
 * plain {@code KafkaConsumer} poll loop on topic {@code orders} of a real one-node KRaft broker, a RabbitMQ Java
 * client consumer ({@code DeliverCallback}) on queue {@code orders} and a Spring AMQP {@code @RabbitListener} in a
 * {@code SimpleMessageListenerContainer} (the listener on the container's thread, after the client's
 * {@code handleDelivery} queued the delivery) on queue {@code spring-orders} of an Apache Qpid Broker-J, AMQP 0-9-1;
 * each broker its own JVM, one for the class, {@link BrokerProcess}, Broker-J on a JDK before 24); and
 * {@code test-apps/spring-messaging}, Spring Boot's listeners (a {@code @KafkaListener} in Boot's default
 * {@code ConcurrentMessageListenerContainer} on the same topic and broker, a {@code @JmsListener} in a
 * {@code DefaultMessageListenerContainer}, called through {@code SessionAwareMessageListener}, on queue
 * {@code orders} of Boot's embedded Artemis). On every JDK, for each app, all its consumers in each service JVM (with
 * its Docker stand-in JVM): in block mode one JVM per policy; in audit mode one JVM that runs {@code message: block}
 * and then, reloaded, the default policy:
 * <ul>
 *   <li>the default policy ({@code message: log}): {@code exec}, {@code environ} and {@code socket} run (marker
 *       there, the environment's canary read, the stand-in answered) with a {@code logged} event, in block mode as
 *       in audit; {@code benign} runs with no event</li>
 *   <li>{@code auth: {message: block}} in block mode: the three are refused (the listener gets HostGuard's
 *       exception: marker absent, no byte of the environment read, the stand-in never accepted the connection) with
 *       a {@code blocked} event; in audit mode they run, and the event says {@code logged}; {@code benign} runs with
 *       no event</li>
 * </ul>
 * Every event: {@code hostguard.context=message}, {@code hostguard.auth=message}, {@code url.path=/<queue>},
 * {@code messaging.system=jms|kafka|rabbitmq}, {@code messaging.destination.name=<queue>}, no HTTP fields, the
 * consumer's thread and code.
 * The messages are sent by a thread of the app's own start-up, outside any request: the HTTP request that asks for
 * one ({@code GET /send}, no credentials) only queues it and waits for the listener's report, so nothing of it
 * travels with the message.
 */
class MessagingIT {
    private static final String TEST = MessagingIT.class.getSimpleName();
    /** The apps, in the order they run: the clients' own APIs, then Spring's listeners. */
    private static final List<GuardedServer> APPS = List.of(GuardedServer.MESSAGING, GuardedServer.SPRING_MESSAGING);
    private static final String QUEUE = "orders";

    /**
     * A consumer: its app, what the app's {@code /send} calls it, the messaging system its events name, its queue or
     * topic, the thread it handles messages on, its handling method. Spring's containers name their threads after the
     * listener's {@code id}.
     */
    private enum Consumer {
        JMS(GuardedServer.MESSAGING, "jms", "jms", QUEUE, ".*ActiveMQ-client-global-threads.*",
                "OperationListener.onMessage"),
        KAFKA(GuardedServer.MESSAGING, "kafka", "kafka", QUEUE, "messaging-app-kafka-consumer", "RecordLoop.handle"),
        RABBITMQ(GuardedServer.MESSAGING, "rabbitmq", "rabbitmq", QUEUE, "messaging-app-rabbitmq-consumer",
                "RabbitMqConsumer.handle"),
        /** Its listener runs on the container's thread, not in the client's {@code handleDelivery}. */
        SPRING_AMQP(GuardedServer.MESSAGING, "spring-amqp", "rabbitmq", "spring-orders", "spring-amqp-listener-\\d+",
                "SpringAmqpListener.onMessage"),
        SPRING_JMS(GuardedServer.SPRING_MESSAGING, "jms", "jms", QUEUE, "operations-jms-\\d+",
                "OperationListeners.onMessage"),
        SPRING_KAFKA(GuardedServer.SPRING_MESSAGING, "kafka", "kafka", QUEUE, "operations-kafka-0-C-\\d+",
                "OperationListeners.onRecord");

        final GuardedServer app;
        final String name;
        final String system;
        final String destination;
        final String thread;
        final String frame;

        Consumer(GuardedServer app, String name, String system, String destination, String thread, String frame) {
            this.app = app;
            this.name = name;
            this.system = system;
            this.destination = destination;
            this.thread = thread;
            this.frame = frame;
        }
    }

    /** The brokers every service of the class consumes from: started with the first, stopped after the last. */
    private static BrokerProcess kafka;
    private static BrokerProcess amqp;

    /** A policy the service runs with, and whether it refuses a message's findings (in block mode). */
    private enum Policy {
        DEFAULT("default policy (message: log)", null, false),
        MESSAGE_BLOCK("policy auth: {message: block}", "version: 1\nauth:\n  message: block\n", true);

        /** The default policy as a file, for a reload to it. */
        static final String DEFAULT_YAML = "version: 1\n";

        final String label;
        final String yaml;
        final boolean refuses;

        Policy(String label, String yaml, boolean refuses) {
            this.label = label;
            this.yaml = yaml;
            this.refuses = refuses;
        }
    }

    /** A service JVM: its mode, its policy, and the one it is reloaded to after that policy's cases ({@code null}: none). */
    private record Service(String mode, Policy policy, Policy reloadedTo) {
    }

    private static final List<Service> SERVICES = List.of(new Service("block", Policy.DEFAULT, null),
            new Service("block", Policy.MESSAGE_BLOCK, null), new Service("audit", Policy.MESSAGE_BLOCK, Policy.DEFAULT));
    private static final Duration RELOAD_WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ServiceSlots SLOTS = new ServiceSlots();

    @AfterAll
    static void stopBrokers() {
        try {
            if (kafka != null) {
                kafka.close();
            }
        } finally {
            if (amqp != null) {
                amqp.close();
            }
        }
    }

    private static synchronized void startBrokers() throws IOException {
        if (kafka == null) {
            kafka = BrokerProcess.kafka(TEST, tmp.resolve("kafka"), QUEUE);
        }
        if (amqp == null) {
            amqp = BrokerProcess.amqp(TEST, tmp.resolve("amqp"));
        }
    }

    @TestFactory
    Stream<DynamicNode> messaging() {
        return Jdks.all().stream().map(jdk -> dynamicContainer("JDK " + jdk.version(),
                APPS.stream().map(server -> dynamicContainer(server.displayName(),
                        SERVICES.stream().map(service -> forService(jdk, server, service))))));
    }

    private DynamicContainer forService(Jdks.Jdk jdk, GuardedServer server, Service service) {
        Policy policy = service.policy();
        Path dir = tmp.resolve(jdk.label() + "-" + server.id() + "-" + service.mode() + "-"
                + policy.name().toLowerCase(java.util.Locale.ROOT));
        Path policyFile = dir.resolve("policy.yaml");
        UnaryOperator<ServiceProcess.Builder> withPolicy = policy.yaml == null ? b -> b
                : GuardedService.withPolicy(policyFile, policy.yaml);
        TestAppSlot app = new TestAppSlot(SLOTS, TEST, jdk, server, service.mode(), dir, true,
                b -> withPolicy.apply(b.env("KAFKA_BOOTSTRAP", "localhost:" + kafka.port())
                        .env("AMQP_PORT", Integer.toString(amqp.port()))));
        String label = service.mode() + ", " + policy.label
                + (service.reloadedTo() == null ? "" : ", then " + service.reloadedTo().label);
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(dynamicTest(app.label() + label + " | start the Kafka and AMQP brokers (once for the class), the "
                + "Docker stand-in, then the consumers with -javaagent mode=" + service.mode() + ", KAFKA_BOOTSTRAP, "
                + "AMQP_PORT, DOCKER_HOST on the stand-in, CANARY in its environment", () -> {
                    startBrokers();
                    app.start(TEST);
                }));
        addCases(tests, server, app, app.label() + policy.label + " | ", service.mode(), policy);
        if (service.reloadedTo() != null) {
            Policy reloaded = service.reloadedTo();
            String at = app.label() + reloaded.label + " (reloaded) | ";
            tests.add(dynamicTest(at + "the policy file rewritten: policy-reloaded, mode " + service.mode(),
                    () -> reload(app.service(), policyFile, service.mode())));
            addCases(tests, server, app, at, service.mode(), reloaded);
        }
        tests.add(dynamicTest(app.label() + label + " | stop: no agent WARN/ERROR; no key, canary or password in the "
                + "events or the log", app::stop));
        return dynamicContainer(label, tests);
    }

    /** The cases of each consumer under {@code policy}: refused where the policy refuses and the mode blocks. */
    private static void addCases(List<DynamicNode> tests, GuardedServer server, TestAppSlot app, String at,
                                 String mode, Policy policy) {
        boolean refuses = policy.refuses && mode.equals("block");
        String outcome = refuses ? "refused (the listener gets the exception), it did not happen, blocked event"
                : "it ran, logged event";
        for (Consumer consumer : Consumer.values()) {
            if (consumer.app != server) {
                continue;
            }
            String in = " in " + consumer.frame + " (" + consumer.name + ") -> ";
            tests.add(dynamicTest(at + "exec (touch <marker>)" + in + outcome,
                    () -> exec(app, consumer, refuses)));
            tests.add(dynamicTest(at + "environ (/proc/self/environ)" + in + outcome,
                    () -> environ(app, consumer, refuses)));
            tests.add(dynamicTest(at + "socket (the Docker stand-in)" + in + outcome,
                    () -> socket(app, consumer, refuses)));
            tests.add(dynamicTest(at + "benign read" + in + "it ran, no event", () -> benign(app, consumer)));
        }
    }

    /** Replaces the policy file with the default policy (an editor's save) and waits for the agent to take it. */
    private static void reload(GuardedService service, Path policyFile, String mode) throws IOException {
        int before = service.events().count();
        Path edited = policyFile.resolveSibling(".policy.yaml.swp");
        Files.writeString(edited, Policy.DEFAULT_YAML);
        Files.move(edited, policyFile, StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        JsonNode reloaded = service.events().awaitSince(before, "policy-reloaded",
                e -> e.path("event").path("action").asText().equals("policy-reloaded"), RELOAD_WAIT);
        assertEquals(mode, reloaded.path("hostguard").path("mode").asText(), () -> "mode after the reload: " + reloaded);
    }

    private static void exec(TestAppSlot app, Consumer consumer, boolean refused) throws IOException {
        GuardedService service = app.service();
        Path marker = service.marker("message-" + consumer.name + "-exec-" + System.nanoTime());
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
        Path followUp = service.marker("message-" + consumer.name + "-benign-follow-up-" + System.nanoTime());
        service.events().assertNothingLoggedSince(before, "for the benign read",
                () -> send(service, consumer, Op.EXEC, "touch " + followUp), EventLog.hasProcessArg(followUp.toString()));
        service.process().assertNoUnexpectedAgentProblems();
    }

    /** {@code GET /send?op=...}: the listener's report on the message, once it handled it. */
    private static String send(GuardedService service, Consumer consumer, Op op, String cmd) {
        HttpTestClient.Get get = HttpTestClient.get(service.process().baseUri(), "/send")
                .query("system", consumer.name).query("op", op.path());
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
        assertEquals(service.mode(), hg.path("mode").asText(), () -> "hostguard.mode: " + event);
        assertEquals(refused ? "failure" : "success", event.path("event").path("outcome").asText(),
                () -> "outcome: " + event);
        assertEquals("message", hg.path("context").asText(), () -> "hostguard.context: " + event);
        assertEquals("message", hg.path("auth").asText(), () -> "hostguard.auth: " + event);
        assertEquals("/" + consumer.destination, event.path("url").path("path").asText(), () -> "url.path: " + event);
        assertEquals(consumer.system, event.path("messaging").path("system").asText(), () -> "messaging.system: " + event);
        assertEquals(consumer.destination, event.path("messaging").path("destination").path("name").asText(),
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
