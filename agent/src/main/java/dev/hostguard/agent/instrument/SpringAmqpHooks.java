package dev.hostguard.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.any;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.returns;

import java.util.List;

/**
 * Spring AMQP's {@code SimpleMessageListenerContainer} (the default container of {@code @RabbitListener}): the
 * client's {@code handleDelivery} (a {@code Consumer}, hooked by {@link RabbitMqHooks}) only queues each delivery in
 * the container's {@code BlockingQueueConsumer}, and the container's own thread takes it from there
 * ({@code nextMessage}, with or without a timeout) and calls the listener. So the work done for the {@code Message}
 * a {@code nextMessage} returned, on that thread until its next {@code nextMessage} or the consumer's {@code stop}, is
 * in a {@code message} context whose request object is that message ({@code context.SpringAmqpApi}: its received
 * exchange and routing key the route, as for the client's envelope): {@link MessageWindowAdvice}, as for Kafka's
 * polls. A listener with consumer-side batching ({@code consumerBatchEnabled}) runs after the batch's last take: its
 * window is that message's.
 */
final class SpringAmqpHooks implements HookFamily {
    static final String BLOCKING_QUEUE_CONSUMER = "org.springframework.amqp.rabbit.listener.BlockingQueueConsumer";

    @Override
    public String name() {
        return "spring-amqp";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(HookTarget.library(BLOCKING_QUEUE_CONSUMER,
                new HookSite("BlockingQueueConsumer.nextMessage", "nextMessage",
                        returns(named("org.springframework.amqp.core.Message")), MessageWindowAdvice.TAKE, false),
                new HookSite("BlockingQueueConsumer.stop", "stop", any(), MessageWindowAdvice.END, false)));
    }
}
