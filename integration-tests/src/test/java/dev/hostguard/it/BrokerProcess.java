package dev.hostguard.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A message broker as its own JVM without the agent, started and stopped by a test class: the infrastructure the
 * consumers under test talk to, on a port the system picks, which its ready line reports. Two kinds:
 * <ul>
 *   <li>{@link #kafka}: a one-node KRaft Kafka broker ({@code test-apps/kafka-broker}: Kafka 4.3's own
 *       {@code KafkaClusterTestKit}, a combined broker and controller), on the first JDK found; its topics are created
 *       before it says it is ready</li>
 *   <li>{@link #amqp}: an AMQP 0-9-1 broker ({@code test-apps/amqp-broker}: Apache Qpid Broker-J 9.2, memory virtual
 *       host, user {@code guest}), on the first JDK before 24 ({@link Jdks#before}): Broker-J calls
 *       {@code Subject.getSubject}, which JDK 24+ always refuses</li>
 * </ul>
 * {@link ServiceProcess} ends it at {@link #close()}, and at the test JVM's exit whatever a failed run left behind.
 */
final class BrokerProcess implements AutoCloseable {
    /** Group 1 the port (what {@link ServiceProcess} reads as a service's port), group 2 the broker's start-up. */
    private static final Pattern KAFKA_READY = Pattern.compile("kafka-broker ready localhost:(\\d+) in (\\d+) ms");
    private static final Pattern AMQP_READY = Pattern.compile("amqp-broker ready 127\\.0\\.0\\.1:(\\d+) in (\\d+) ms");
    private static final int AMQP_BROKER_BEFORE_JDK = 24;

    private final ServiceProcess process;

    private BrokerProcess(ServiceProcess process) {
        this.process = process;
    }

    /** Starts a Kafka broker with {@code topics} in {@code dir} and waits (bounded) until it is ready. */
    static BrokerProcess kafka(String testName, Path dir, String... topics) throws IOException {
        String[] args = new String[topics.length + 1];
        args[0] = dir.resolve("data").toString();
        System.arraycopy(topics, 0, args, 1, topics.length);
        return start(testName, "Kafka broker", Jdks.all().get(0), BuiltArtifacts.kafkaBrokerJar(), KAFKA_READY, dir,
                args);
    }

    /** Starts an AMQP 0-9-1 broker in {@code dir} (its work directory) and waits (bounded) until it is ready. */
    static BrokerProcess amqp(String testName, Path dir) throws IOException {
        return start(testName, "AMQP broker", Jdks.before(AMQP_BROKER_BEFORE_JDK), BuiltArtifacts.amqpBrokerJar(),
                AMQP_READY, dir);
    }

    private static BrokerProcess start(String testName, String kind, Jdks.Jdk jdk, Path jar, Pattern readyLine,
                                       Path dir, String... args) throws IOException {
        Files.createDirectories(dir);
        long started = System.nanoTime();
        ServiceProcess process = ServiceProcess.builder(testName, jdk)
                .label(testName + " " + kind)
                .jar(jar)
                .appArgs(args)
                .workingDirectory(dir)
                .readyLine(readyLine)
                .start();
        Matcher ready = process.awaitLine(readyLine, Duration.ofSeconds(1));
        System.out.println("[it] " + testName + ": " + kind + " ready on JDK " + jdk.version() + " in "
                + (System.nanoTime() - started) / 1_000_000 + " ms (the broker's own count: " + ready.group(2) + " ms)");
        return new BrokerProcess(process);
    }

    /** Its client port, on the loopback interface. */
    int port() {
        return process.port();
    }

    @Override
    public void close() {
        process.close();
    }
}
