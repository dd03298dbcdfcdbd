package dev.hostguard.agent.context;

import java.lang.reflect.Method;

/**
 * A message Spring AMQP's listener container took for its listener ({@code org.springframework.amqp.core.Message}):
 * a RabbitMQ delivery, its destination read from its {@code MessageProperties}' received exchange and routing key as
 * {@link RabbitMqApi} reads the client's envelope, by reflection on the service's own copy (resolved once per class).
 */
final class SpringAmqpApi implements ServerApi {
    static final String MESSAGE = "org.springframework.amqp.core.Message";

    private final Method getMessageProperties;
    private final Method getReceivedExchange;
    private final Method getReceivedRoutingKey;

    private SpringAmqpApi(Class<?> message) throws ReflectiveOperationException {
        getMessageProperties = message.getMethod("getMessageProperties");
        Class<?> properties = getMessageProperties.getReturnType();
        getReceivedExchange = properties.getMethod("getReceivedExchange");
        getReceivedRoutingKey = properties.getMethod("getReceivedRoutingKey");
    }

    /** @return the API of {@code messageClass}, or {@code null} when it is no Spring AMQP message */
    static SpringAmqpApi of(Class<?> messageClass) {
        Class<?> message = Types.findSuperType(messageClass, MESSAGE);
        if (message == null) {
            return null;
        }
        try {
            return new SpringAmqpApi(message);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("unexpected Spring AMQP API " + message, e);
        }
    }

    @Override
    public RequestView view(Object message, Object response) {
        return new MessageView("rabbitmq", destination(message));
    }

    /** {@code null} when the message cannot say: it is still classed {@code message}. */
    private String destination(Object message) {
        try {
            Object properties = Types.call(getMessageProperties, message);
            if (properties == null) {
                return null;
            }
            return RabbitMqApi.destination((String) Types.call(getReceivedExchange, properties),
                    (String) Types.call(getReceivedRoutingKey, properties));
        } catch (IllegalStateException | ClassCastException clientFailed) {
            return null;
        }
    }
}
