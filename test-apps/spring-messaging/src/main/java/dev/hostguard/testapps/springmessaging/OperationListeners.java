package dev.hostguard.testapps.springmessaging;

import dev.hostguard.testapps.ops.HostOperations;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.springframework.jms.annotation.JmsListener;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * The listeners: each runs the host operation a message names ({@code op}, its parameters as the message's other
 * properties or headers) and reports the outcome to the {@link MessageRelay}: the output, or
 * {@code refused <exception>} when the operation threw (HostGuard's refusal included). They catch what their work
 * throws and go on, as listeners usually do: the message is acknowledged either way, no redelivery repeats it.
 */
@Component
class OperationListeners {
    private final MessageRelay relay;

    OperationListeners(MessageRelay relay) {
        this.relay = relay;
    }

    /** Spring's container calls it through {@code SessionAwareMessageListener.onMessage(Message, Session)}. */
    @JmsListener(id = "operations-jms", destination = SpringMessagingApp.DESTINATION)
    void onMessage(Message message) throws JMSException {
        Map<String, String> params = new HashMap<>();
        Enumeration<?> names = message.getPropertyNames();
        while (names.hasMoreElements()) {
            String name = (String) names.nextElement();
            params.put(name, message.getStringProperty(name));
        }
        handle(params);
    }

    /** A group of its own per start ({@code random.uuid}): each service reads the topic from its end. */
    @KafkaListener(id = "operations-kafka", topics = SpringMessagingApp.DESTINATION,
            groupId = "operations-${random.uuid}")
    void onRecord(ConsumerRecord<String, String> record) {
        Map<String, String> params = new HashMap<>();
        for (Header header : record.headers()) {
            params.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        handle(params);
    }

    private void handle(Map<String, String> params) {
        if (params.containsKey(MessageRelay.PROBE)) {
            relay.report(params.get("id"), "listening");
            return;
        }
        relay.report(params.get("id"), HostOperations.outcome(params));
    }
}
