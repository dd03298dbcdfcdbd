package dev.hostguard.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A one-node KRaft Kafka broker ({@code test-apps/kafka-broker}: Kafka 4.3's own {@code KafkaClusterTestKit}, a
 * combined broker and controller on ports the system picks) as its own JVM without the agent, on the first JDK
 * found: the infrastructure a Kafka consumer under test talks to. Its topics are created before it says it is ready.
 */
final class KafkaBrokerProcess implements AutoCloseable {
    /** Group 1 the port (what {@link ServiceProcess} reads as a service's port), group 2 the broker's start-up. */
    private static final Pattern READY = Pattern.compile("kafka-broker ready localhost:(\\d+) in (\\d+) ms");

    private final ServiceProcess process;
    private final String bootstrap;
    private final long startMillis;

    private KafkaBrokerProcess(ServiceProcess process, String bootstrap, long startMillis) {
        this.process = process;
        this.bootstrap = bootstrap;
        this.startMillis = startMillis;
    }

    /** Starts the broker with {@code topics} in {@code dir} and waits (bounded) until it is ready. */
    static KafkaBrokerProcess start(String testName, Path dir, String... topics) throws IOException {
        Files.createDirectories(dir);
        String[] args = new String[topics.length + 1];
        args[0] = dir.resolve("data").toString();
        System.arraycopy(topics, 0, args, 1, topics.length);
        long started = System.nanoTime();
        ServiceProcess process = ServiceProcess.builder(testName, Jdks.all().get(0))
                .label(testName + " kafka broker")
                .jar(BuiltArtifacts.kafkaBrokerJar())
                .appArgs(args)
                .workingDirectory(dir)
                .readyLine(READY)
                .start();
        Matcher ready = process.awaitLine(READY, Duration.ofSeconds(1));
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.println("[it] " + testName + ": Kafka broker ready in " + millis + " ms (the broker's own count: "
                + ready.group(2) + " ms)");
        return new KafkaBrokerProcess(process, "localhost:" + ready.group(1), millis);
    }

    /** {@code host:port} of its client listener. */
    String bootstrap() {
        return bootstrap;
    }

    /** Wall time from the launch to its ready line, as the test saw it. */
    long startMillis() {
        return startMillis;
    }

    @Override
    public void close() {
        process.close();
    }
}
