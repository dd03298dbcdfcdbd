package dev.hostguard.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.any;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.util.List;

/**
 * Kafka consumers: the work done for the records a {@code KafkaConsumer.poll} returned, on the polling thread until
 * its next {@code poll} or {@code close}, is in a {@code message} context whose request object is the batch
 * ({@code context.KafkaApi}: its topics the route). That poll-to-poll window is the one place every consumer passes
 * through, whatever processes the records: a plain poll loop, Spring's {@code KafkaMessageListenerContainer} (which
 * polls and calls the {@code @KafkaListener} on its consumer thread), Kafka Streams' stream threads. Per-record
 * precision would need each framework's own dispatch; the window classes the work right (never a user's) and names
 * every topic of the batch. The advice is {@link MessageWindowAdvice}'s.
 */
final class KafkaHooks implements HookFamily {
    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(HookTarget.library("org.apache.kafka.clients.consumer.KafkaConsumer",
                new HookSite("KafkaConsumer.poll", "poll", takesArguments(1), MessageWindowAdvice.TAKE, false),
                new HookSite("KafkaConsumer.close", "close", any(), MessageWindowAdvice.END, false)));
    }
}
