package dev.hostguard.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.util.List;
import java.util.Set;

/**
 * RabbitMQ Java client consumers: every {@code com.rabbitmq.client.Consumer.handleDelivery(consumerTag, envelope,
 * properties, body)} implementation is a request to the guard whose request object is the delivery's
 * {@code Envelope} ({@code context.RabbitMqApi}: class {@code message}, its exchange and routing key the route).
 * The interface method is the choke point: the client's dispatcher hands every delivery to a {@code Consumer}, be it
 * a {@code DefaultConsumer} subclass, the client's own wrapper of a {@code DeliverCallback} lambda (an anonymous
 * {@code Consumer} in {@code ChannelN}), or a framework's (Spring AMQP's). The outermost entry opens the scope (a
 * subclass calling {@code super.handleDelivery} stays in it). A refusal throws out of the operation into the
 * handler; one the handler lets go reaches the client's exception handler (by default it closes the channel, and an
 * unacknowledged message is redelivered).
 */
final class RabbitMqHooks implements HookFamily {
    private static final String ENVELOPE = "com.rabbitmq.client.Envelope";

    @Override
    public String name() {
        return "rabbitmq";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(HookTarget.subTypesOf(Set.of("com.rabbitmq.client.Consumer"),
                new HookSite("Consumer.handleDelivery", "handleDelivery", takesArguments(4)
                        .and(takesArgument(1, named(ENVELOPE))).and(not(isAbstract())),
                        RequestAdvice.SECOND_ARGUMENT, false)));
    }
}
