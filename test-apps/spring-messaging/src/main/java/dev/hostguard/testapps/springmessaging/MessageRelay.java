package dev.hostguard.testapps.springmessaging;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Carries the tests' messages to the brokers and the listeners' reports back. A message ({@code system=kafka}: a
 * record of topic {@value SpringMessagingApp#DESTINATION}, its parameters as headers; otherwise a JMS text message to
 * queue {@value SpringMessagingApp#DESTINATION}, its parameters as string properties) gets an {@code id} and is sent
 * by a thread started with the app, outside any request: the HTTP request that asks for it only queues it, so
 * nothing of that request travels with the message.
 */
@Component
class MessageRelay implements DisposableBean {
    /** The parameter that marks a readiness probe, which the listeners answer without running anything. */
    static final String PROBE = "probe";
    private static final Duration PROBE_INTERVAL = Duration.ofMillis(250);

    private final JmsTemplate jms;
    private final KafkaTemplate<String, String> kafka;
    private final AtomicLong ids = new AtomicLong();
    private final Map<String, CompletableFuture<String>> answers = new ConcurrentHashMap<>();
    private final BlockingQueue<Map<String, String>> outgoing = new LinkedBlockingQueue<>();
    private final Thread sender = new Thread(this::sendLoop, "spring-messaging-app-sender");

    MessageRelay(JmsTemplate jms, KafkaTemplate<String, String> kafka) {
        this.jms = jms;
        this.kafka = kafka;
        sender.setDaemon(true);
        sender.start();
    }

    /** Queues {@code message} for the sender thread; the future completes with its listener's report. */
    CompletableFuture<String> send(Map<String, String> message) throws InterruptedException {
        Map<String, String> withId = new HashMap<>(message);
        String id = Long.toString(ids.incrementAndGet());
        withId.put("id", id);
        CompletableFuture<String> answer = new CompletableFuture<>();
        answers.put(id, answer);
        outgoing.put(withId);
        return answer;
    }

    /** A listener's report on the message {@code id}. */
    void report(String id, String answer) {
        CompletableFuture<String> waiting = id == null ? null : answers.remove(id);
        if (waiting != null) {
            waiting.complete(answer);
        }
    }

    /**
     * Sends Kafka probes until the listener takes one. A new consumer group starts at the topic's end only once it
     * has its partitions, so a record sent before then is never seen; once a probe came through, every later record
     * will. (A JMS queue holds its messages until a consumer comes: nothing to wait for.)
     */
    void awaitKafkaListening(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                send(Map.of("system", "kafka", PROBE, "true")).get(PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException notYet) {
                // the next probe
            }
        }
        throw new IllegalStateException("the @KafkaListener took no probe within " + timeout);
    }

    private void sendLoop() {
        try {
            while (true) {
                Map<String, String> message = outgoing.take();
                if ("kafka".equals(message.get("system"))) {
                    ProducerRecord<String, String> record = new ProducerRecord<>(SpringMessagingApp.DESTINATION,
                            message.get("op"));
                    message.forEach((name, value) ->
                            record.headers().add(name, value.getBytes(StandardCharsets.UTF_8)));
                    kafka.send(record).get();
                } else {
                    jms.send(SpringMessagingApp.DESTINATION, session -> {
                        var text = session.createTextMessage(message.get("op"));
                        for (Map.Entry<String, String> e : message.entrySet()) {
                            text.setStringProperty(e.getKey(), e.getValue());
                        }
                        return text;
                    });
                }
            }
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            System.err.println("spring-messaging-app sender failed: " + e);
        }
    }

    @Override
    public void destroy() {
        sender.interrupt();
    }
}
