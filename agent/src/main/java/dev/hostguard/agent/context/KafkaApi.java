package dev.hostguard.agent.context;

import java.lang.reflect.Method;
import java.util.Collection;
import java.util.TreeSet;

/**
 * A batch of Kafka records ({@code org.apache.kafka.clients.consumer.ConsumerRecords}) a consumer's poll returned:
 * its topics, read by reflection on the service's own copy of the client (resolved once per class).
 */
final class KafkaApi implements ServerApi {
    static final String RECORDS = "org.apache.kafka.clients.consumer.ConsumerRecords";

    private final Method partitions;
    private final Method topic;

    private KafkaApi(Class<?> records) throws ReflectiveOperationException {
        partitions = records.getMethod("partitions");
        topic = Class.forName("org.apache.kafka.common.TopicPartition", false, records.getClassLoader())
                .getMethod("topic");
    }

    /** @return the API of {@code recordsClass}, or {@code null} when it is no batch of Kafka records */
    static KafkaApi of(Class<?> recordsClass) {
        Class<?> records = Types.findSuperType(recordsClass, RECORDS);
        if (records == null) {
            return null;
        }
        try {
            return new KafkaApi(records);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("unexpected Kafka client API " + records, e);
        }
    }

    @Override
    public RequestView view(Object records, Object response) {
        return new MessageView("kafka", topics(records));
    }

    /**
     * The batch's topics, sorted, joined by {@code ,}; {@code null} for an empty batch (the loop's own work after a
     * poll that returned nothing) or when the client cannot say: still classed {@code message}.
     */
    private String topics(Object records) {
        try {
            TreeSet<String> topics = new TreeSet<>();
            for (Object partition : (Collection<?>) Types.call(partitions, records)) {
                topics.add((String) Types.call(topic, partition));
            }
            return topics.isEmpty() ? null : String.join(",", topics);
        } catch (IllegalStateException | ClassCastException clientFailed) {
            return null;
        }
    }
}
