package dev.hostguard.testapps.messaging;

import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;

/**
 * The JMS consumer: a message names its host operation in string property {@code op}, its parameters and
 * {@code id} in the other properties; {@link OperationAnswers} runs it and answers.
 */
final class OperationListener implements MessageListener {
    private final OperationAnswers answers;

    OperationListener(OperationAnswers answers) {
        this.answers = answers;
    }

    @Override
    public void onMessage(Message message) {
        try {
            answers.run(properties(message));
        } catch (JMSException e) {
            System.err.println("messaging-app listener: unreadable message: " + e);
        }
    }

    private static Map<String, String> properties(Message message) throws JMSException {
        Map<String, String> params = new HashMap<>();
        Enumeration<?> names = message.getPropertyNames();
        while (names.hasMoreElements()) {
            String name = (String) names.nextElement();
            params.put(name, message.getStringProperty(name));
        }
        return params;
    }
}
