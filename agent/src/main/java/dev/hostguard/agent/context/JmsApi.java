package dev.hostguard.agent.context;

import java.lang.reflect.Method;

/**
 * A JMS message ({@code jakarta.jms.Message} or {@code javax.jms.Message}) of the service's provider: its
 * destination's name, read by reflection on the provider's own copy of the API (resolved once per message class).
 */
final class JmsApi implements ServerApi {
    private static final String[] PACKAGES = {"jakarta.jms.", "javax.jms."};

    private final Method getJMSDestination;
    private final Class<?> queue;
    private final Method getQueueName;
    private final Class<?> topic;
    private final Method getTopicName;

    private JmsApi(Class<?> message, String api) throws ReflectiveOperationException {
        ClassLoader loader = message.getClassLoader();
        getJMSDestination = message.getMethod("getJMSDestination");
        queue = Class.forName(api + "Queue", false, loader);
        getQueueName = queue.getMethod("getQueueName");
        topic = Class.forName(api + "Topic", false, loader);
        getTopicName = topic.getMethod("getTopicName");
    }

    /** @return the API {@code messageClass} implements, or {@code null} when it is no JMS message */
    static JmsApi of(Class<?> messageClass) {
        for (String api : PACKAGES) {
            Class<?> message = Types.findSuperType(messageClass, api + "Message");
            if (message != null) {
                try {
                    return new JmsApi(message, api);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("unexpected JMS API " + message, e);
                }
            }
        }
        return null;
    }

    @Override
    public RequestView view(Object message, Object response) {
        return new MessageView("jms", destination(message));
    }

    /**
     * The queue's or topic's name; the destination's text for another kind; {@code null} when there is none or the
     * provider cannot say (the message is still classed {@code message}: judged, never let through unseen).
     */
    private String destination(Object message) {
        try {
            return destinationName(Types.call(getJMSDestination, message));
        } catch (IllegalStateException providerFailed) {
            return null;
        }
    }

    private String destinationName(Object destination) {
        if (queue.isInstance(destination)) {
            return (String) Types.call(getQueueName, destination);
        }
        if (topic.isInstance(destination)) {
            return (String) Types.call(getTopicName, destination);
        }
        return destination == null ? null : destination.toString();
    }
}
