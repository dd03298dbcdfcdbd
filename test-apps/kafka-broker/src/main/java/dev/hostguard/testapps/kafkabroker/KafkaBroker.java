package dev.hostguard.testapps.kafkabroker;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A one-node KRaft Kafka cluster (one combined broker and controller, Kafka's own {@code KafkaClusterTestKit}, ports
 * the system picks) in its own JVM, without the agent: {@code KafkaBroker <dir> <topic>...} formats its storage under
 * {@code dir}, starts, creates each topic (one partition) and prints {@code kafka-broker ready <bootstrap servers> in
 * <ms> ms}; it runs until the JVM is stopped.
 */
public final class KafkaBroker {
    private KafkaBroker() {
    }

    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1)
                .setBaseDirectory(Path.of(args[0])).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                cluster.close();
            } catch (Exception ignored) {
                // the JVM is going away
            }
        }, "kafka-broker-stop"));
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        try (Admin admin = cluster.admin()) {
            List<NewTopic> topics = new java.util.ArrayList<>();
            for (int i = 1; i < args.length; i++) {
                topics.add(new NewTopic(args[i], 1, (short) 1));
            }
            admin.createTopics(topics).all().get();
        }
        System.out.println("kafka-broker ready " + cluster.bootstrapServers() + " in "
                + (System.nanoTime() - started) / 1_000_000 + " ms");
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
