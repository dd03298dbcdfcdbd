package dev.hostguard.testapps.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A plain {@code KafkaConsumer} poll loop on its own thread: each record of topic {@value MessagingApp#QUEUE} names a
 * host operation in its headers ({@code op}, its parameters, {@code id}); {@link OperationAnswers} runs it on the
 * loop's thread and answers. The partition is assigned (no group) and the
 * loop starts at its end, so a service sees only the records sent after it started.
 */
final class RecordLoop implements Runnable {
    private static final Duration POLL = Duration.ofMillis(100);

    private final KafkaConsumer<String, String> consumer;
    private final OperationAnswers answers;

    RecordLoop(String bootstrap, OperationAnswers answers) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(config);
        TopicPartition partition = new TopicPartition(MessagingApp.QUEUE, 0);
        consumer.assign(List.of(partition));
        consumer.seekToEnd(List.of(partition));
        consumer.position(partition); // the end, resolved now: records sent from here on are this service's
        this.answers = answers;
    }

    @Override
    public void run() {
        while (true) {
            ConsumerRecords<String, String> records = consumer.poll(POLL);
            for (ConsumerRecord<String, String> record : records) {
                handle(record);
            }
        }
    }

    private void handle(ConsumerRecord<String, String> record) {
        Map<String, String> params = new HashMap<>();
        for (Header header : record.headers()) {
            params.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        answers.run(params);
    }
}
