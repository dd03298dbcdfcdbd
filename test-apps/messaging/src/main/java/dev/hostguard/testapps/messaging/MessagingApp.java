package dev.hostguard.testapps.messaging;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hostguard.testapps.ops.HostOperations;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A JMS consumer: an embedded ActiveMQ Artemis broker (in-VM acceptor only: no port, no persistence) and a Jakarta
 * JMS {@link OperationListener} on queue {@value #QUEUE} that runs the host operation each message names
 * ({@code test-apps/host-operations}); with env {@code KAFKA_BOOTSTRAP}, a Kafka poll loop ({@link RecordLoop}) on
 * topic {@value #QUEUE} that does the same for records ({@code &system=kafka}); with env {@code AMQP_PORT}, a
 * RabbitMQ Java client consumer ({@link RabbitMqConsumer}) on queue {@value #QUEUE} of the AMQP 0-9-1 broker on that
 * loopback port ({@code &system=rabbitmq}; the tests' Qpid Broker-J, {@code test-apps/amqp-broker}) and a Spring AMQP
 * {@code @RabbitListener} ({@link SpringAmqpListener}) on its queue {@value SpringAmqpListener#QUEUE}
 * ({@code &system=spring-amqp}). The tests hand it messages through {@code GET /send?op=<op>[&cmd=...]} on the JDK's
 * HttpServer: the request puts the message on an in-memory queue, a sender thread started at start-up (outside any
 * request, so nothing of the HTTP request travels with the message) sends it to the broker, and the request answers
 * with what the listener reported: the operation's output, or {@code refused <exception>} when it failed (a HostGuard
 * refusal included). Readiness line: {@code messaging-app listening on http://127.0.0.1:<port>}.
 */
public final class MessagingApp {
    static final String QUEUE = "orders";
    private static final long ANSWER_TIMEOUT_SECONDS = 30;

    private MessagingApp() {
    }

    public static void main(String[] args) throws Exception {
        HostOperations.prepare();
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));

        Configuration config = new ConfigurationImpl().setPersistenceEnabled(false).setSecurityEnabled(false)
                .setJournalDirectory("artemis/journal").setBindingsDirectory("artemis/bindings")
                .setLargeMessagesDirectory("artemis/large").setPagingDirectory("artemis/paging");
        config.addAcceptorConfiguration("in-vm", "vm://0");
        EmbeddedActiveMQ broker = new EmbeddedActiveMQ().setConfiguration(config);
        broker.start();

        ConnectionFactory factory = new ActiveMQConnectionFactory("vm://0");
        OperationAnswers answers = new OperationAnswers();
        Connection consuming = factory.createConnection();
        Session listening = consuming.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer consumer = listening.createConsumer(listening.createQueue(QUEUE));
        consumer.setMessageListener(new OperationListener(answers));
        consuming.start();

        String amqpPort = System.getenv("AMQP_PORT");
        RabbitMqConsumer rabbit = null;
        ConfigurableApplicationContext spring = null;
        if (amqpPort != null && !amqpPort.isBlank()) {
            int brokerPort = Integer.parseInt(amqpPort.strip());
            rabbit = new RabbitMqConsumer(brokerPort, answers);
            spring = SpringAmqpListener.start(brokerPort, answers);
        }
        RabbitMqConsumer publisher = rabbit;
        ConfigurableApplicationContext springContext = spring;

        String kafka = System.getenv("KAFKA_BOOTSTRAP");
        KafkaProducer<String, String> producer = null;
        if (kafka != null && !kafka.isBlank()) {
            Thread loop = new Thread(new RecordLoop(kafka, answers), "messaging-app-kafka-consumer");
            loop.setDaemon(true);
            loop.start();
            Properties producerConfig = new Properties();
            producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
            producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            producer = new KafkaProducer<>(producerConfig);
        }
        KafkaProducer<String, String> records = producer;
        BlockingQueue<Map<String, String>> outgoing = new LinkedBlockingQueue<>();
        Thread sender = new Thread(() -> send(factory, records, publisher, outgoing), "messaging-app-sender");
        sender.setDaemon(true);
        sender.start();

        AtomicLong ids = new AtomicLong();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/send", exchange -> {
            try (exchange) {
                Map<String, String> message = query(exchange);
                String id = Long.toString(ids.incrementAndGet());
                message.put("id", id);
                CompletableFuture<String> answer = answers.expect(id);
                outgoing.put(message);
                respond(exchange, 200, answer.get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS));
            } catch (Exception e) {
                respond(exchange, 500, "send failed: " + e);
            }
        });
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            try {
                consuming.close();
                broker.stop();
                if (publisher != null) {
                    springContext.close();
                    publisher.close();
                }
            } catch (Exception ignored) {
                // the JVM is going away
            }
        }, "messaging-app-stop"));
        System.out.println("messaging-app listening on http://127.0.0.1:" + server.getAddress().getPort());
        System.out.flush();
    }

    /**
     * The sender thread: each message ({@code system=jms}, the default) a text message to queue {@value #QUEUE}, its
     * parameters as string properties; or ({@code system=kafka}) a record of topic {@value #QUEUE}, its parameters
     * as headers, when {@code records} is there; or ({@code system=rabbitmq}) a RabbitMQ message to queue
     * {@value #QUEUE} through the default exchange, its parameters as headers, when {@code rabbit} is there, or
     * ({@code system=spring-amqp}) the same to the Spring listener's queue {@value SpringAmqpListener#QUEUE}.
     */
    private static void send(ConnectionFactory factory, KafkaProducer<String, String> records,
                             RabbitMqConsumer rabbit, BlockingQueue<Map<String, String>> outgoing) {
        try (Connection connection = factory.createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createQueue(QUEUE));
            while (true) {
                Map<String, String> message = outgoing.take();
                if ("kafka".equals(message.get("system")) && records != null) {
                    ProducerRecord<String, String> record = new ProducerRecord<>(QUEUE, message.get("op"));
                    for (Map.Entry<String, String> e : message.entrySet()) {
                        record.headers().add(e.getKey(), e.getValue().getBytes(StandardCharsets.UTF_8));
                    }
                    records.send(record).get();
                    continue;
                }
                if ("rabbitmq".equals(message.get("system")) || "spring-amqp".equals(message.get("system"))) {
                    if (rabbit != null) {
                        rabbit.send("spring-amqp".equals(message.get("system")) ? SpringAmqpListener.QUEUE : QUEUE,
                                message);
                    }
                    continue;
                }
                TextMessage text = session.createTextMessage(message.get("op"));
                for (Map.Entry<String, String> e : message.entrySet()) {
                    text.setStringProperty(e.getKey(), e.getValue());
                }
                producer.send(text);
            }
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            System.err.println("messaging-app sender failed: " + e);
        }
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> params = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                String[] kv = pair.split("=", 2);
                params.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                        kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
            }
        }
        return params;
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
