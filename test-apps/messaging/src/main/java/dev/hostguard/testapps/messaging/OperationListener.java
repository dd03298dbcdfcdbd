package dev.hostguard.testapps.messaging;

import dev.hostguard.testapps.ops.HostOperations;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Runs the host operation a message names (string property {@code op}, its parameters as the other properties) and
 * reports the outcome to whoever waits for the message's {@code id}: the output, or {@code refused <exception>} when
 * the operation threw (HostGuard's refusal included). A listener that catches what its work throws and goes on, as
 * consumers usually do: the message is acknowledged either way, no redelivery repeats the operation.
 */
final class OperationListener implements MessageListener {
    private final Map<String, CompletableFuture<String>> answers;

    OperationListener(Map<String, CompletableFuture<String>> answers) {
        this.answers = answers;
    }

    @Override
    public void onMessage(Message message) {
        String answer;
        try {
            Map<String, String> params = properties(message);
            answer = HostOperations.run(params.get("op"), params);
        } catch (Throwable t) {
            answer = "refused " + t;
        }
        try {
            CompletableFuture<String> waiting = answers.remove(message.getStringProperty("id"));
            if (waiting != null) {
                waiting.complete(answer);
            }
        } catch (JMSException e) {
            System.err.println("messaging-app listener: no id: " + e);
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
