package dev.hostguard.agent.context;

import java.lang.reflect.Method;

/**
 * A RabbitMQ delivery's {@code com.rabbitmq.client.Envelope}: its exchange and routing key, read by reflection on
 * the service's own copy of the client (resolved once per class). The queue the consumer consumes is not in the
 * delivery (only the channel's bookkeeping knows it), so the destination is what the envelope says: the routing
 * key alone for the default exchange {@code ""} (where it is the queue's name), {@code <exchange>/<routing key>}
 * otherwise.
 */
final class RabbitMqApi implements ServerApi {
    static final String ENVELOPE = "com.rabbitmq.client.Envelope";

    private final Method getExchange;
    private final Method getRoutingKey;

    private RabbitMqApi(Class<?> envelope) throws ReflectiveOperationException {
        getExchange = envelope.getMethod("getExchange");
        getRoutingKey = envelope.getMethod("getRoutingKey");
    }

    /** @return the API of {@code envelopeClass}, or {@code null} when it is no RabbitMQ envelope */
    static RabbitMqApi of(Class<?> envelopeClass) {
        Class<?> envelope = Types.findSuperType(envelopeClass, ENVELOPE);
        if (envelope == null) {
            return null;
        }
        try {
            return new RabbitMqApi(envelope);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("unexpected RabbitMQ client API " + envelope, e);
        }
    }

    @Override
    public RequestView view(Object envelope, Object response) {
        return new MessageView("rabbitmq", destination(envelope));
    }

    /** {@code null} when the client cannot say: the delivery is still classed {@code message}. */
    private String destination(Object envelope) {
        try {
            return destination((String) Types.call(getExchange, envelope),
                    (String) Types.call(getRoutingKey, envelope));
        } catch (IllegalStateException | ClassCastException clientFailed) {
            return null;
        }
    }

    /**
     * An AMQP 0-9-1 delivery's destination, whoever read it: the routing key alone for the default exchange (the
     * queue's name), {@code <exchange>/<routing key>} otherwise; {@code null} when neither is known.
     */
    static String destination(String exchange, String routingKey) {
        if (exchange == null || exchange.isEmpty()) {
            return routingKey == null || routingKey.isEmpty() ? null : routingKey;
        }
        return routingKey == null || routingKey.isEmpty() ? exchange : exchange + "/" + routingKey;
    }
}
