package dev.hostguard.testapps.messaging;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A RabbitMQ Java client consumer of queue {@value MessagingApp#QUEUE} on an AMQP 0-9-1 broker on a loopback port
 * (the tests' Qpid Broker-J, {@code test-apps/amqp-broker}, in a JVM of its own): a {@code DeliverCallback} method
 * reference, so deliveries pass through the client's own {@code Consumer} wrapper; each names a host operation in
 * its headers ({@code op}, its parameters, {@code id}), which {@link OperationAnswers} runs and answers. Deliveries
 * are handled on the connection's consumer thread {@value #THREAD}; published through a channel of their own.
 */
final class RabbitMqConsumer implements AutoCloseable {
    static final String THREAD = "messaging-app-rabbitmq-consumer";

    private final Connection connection;
    private final Channel publishing;
    private final OperationAnswers answers;

    RabbitMqConsumer(int port, OperationAnswers answers) throws Exception {
        this.answers = answers;
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(port);
        factory.setUsername("guest");
        factory.setPassword("guest");
        ExecutorService consumerThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, THREAD);
            t.setDaemon(true);
            return t;
        });
        connection = factory.newConnection(consumerThread);
        Channel consuming = connection.createChannel();
        consuming.queueDeclare(MessagingApp.QUEUE, false, false, false, null);
        consuming.basicConsume(MessagingApp.QUEUE, true, this::handle, consumerTag -> { });
        publishing = connection.createChannel();
    }

    /** Publishes a message to {@code queue} (through the default exchange), its parameters as headers. */
    void send(String queue, Map<String, String> message) throws IOException {
        Map<String, Object> headers = new HashMap<>(message);
        publishing.basicPublish("", queue,
                new com.rabbitmq.client.AMQP.BasicProperties.Builder().headers(headers).build(),
                message.getOrDefault("op", "").getBytes(StandardCharsets.UTF_8));
    }

    private void handle(String consumerTag, Delivery delivery) {
        Map<String, String> params = new HashMap<>();
        delivery.getProperties().getHeaders().forEach((k, v) -> params.put(k, String.valueOf(v)));
        answers.run(params);
    }

    @Override
    public void close() throws IOException {
        connection.close();
    }
}
