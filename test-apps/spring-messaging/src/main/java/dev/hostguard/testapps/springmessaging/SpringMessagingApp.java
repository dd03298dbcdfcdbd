package dev.hostguard.testapps.springmessaging;

import dev.hostguard.testapps.ops.HostOperations;
import java.time.Duration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;

/**
 * A Spring Boot 3 service whose listeners run the host operation a message names ({@link OperationListeners}): a
 * {@code @KafkaListener} (Boot's default {@code ConcurrentMessageListenerContainer}) on topic {@value #DESTINATION}
 * of the broker in env {@code KAFKA_BOOTSTRAP}, and a {@code @JmsListener} (a {@code DefaultMessageListenerContainer})
 * on queue {@value #DESTINATION} of Boot's embedded ActiveMQ Artemis. The tests hand it messages through
 * {@code GET /send?system=jms|kafka&op=<op>[&cmd=...]} ({@link SendController}), answered with the listener's report
 * once it handled the message. Optional env {@code DOCKER_HOST}, {@code CANARY}, {@code PORT} (default 0),
 * {@code BIND} (default 127.0.0.1). Ready when it prints
 * {@code spring-messaging-app listening on http://127.0.0.1:<port>}: only once the Kafka listener has taken a record
 * sent after its start, so that no record the tests send can precede its first position.
 */
@SpringBootApplication
public class SpringMessagingApp {
    static final String DESTINATION = "orders";
    private static final Duration LISTENING_TIMEOUT = Duration.ofSeconds(60);

    private final MessageRelay relay;

    SpringMessagingApp(MessageRelay relay) {
        this.relay = relay;
    }

    public static void main(String[] args) throws Exception {
        HostOperations.prepare();
        SpringApplication.run(SpringMessagingApp.class, args);
    }

    @EventListener
    void ready(ApplicationReadyEvent event) throws Exception {
        relay.awaitKafkaListening(LISTENING_TIMEOUT);
        System.out.println("spring-messaging-app listening on http://127.0.0.1:"
                + event.getApplicationContext().getEnvironment().getProperty("local.server.port"));
        System.out.flush();
    }
}
