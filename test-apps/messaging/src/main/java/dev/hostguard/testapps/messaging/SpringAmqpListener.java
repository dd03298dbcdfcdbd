package dev.hostguard.testapps.messaging;

import java.util.HashMap;
import java.util.Map;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.EnableRabbit;
import org.springframework.amqp.rabbit.annotation.Queue;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.amqp.rabbit.config.SimpleRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A Spring AMQP {@code @RabbitListener} on queue {@value #QUEUE} of the AMQP 0-9-1 broker, in the container Spring
 * Boot configures by default, a {@code SimpleMessageListenerContainer}: the client's consumer thread only queues
 * each delivery, and the container's own thread ({@value #CONTAINER}{@code -<n>}) takes it and calls
 * {@link #onMessage}. Each message names a host operation in its headers ({@code op}, its parameters, {@code id}),
 * which {@link OperationAnswers} runs and answers. A plain Spring context (no Boot: the app is no Boot app), with
 * the beans Boot's auto-configuration would make.
 */
@Configuration(proxyBeanMethods = false)
@EnableRabbit
class SpringAmqpListener {
    static final String QUEUE = "spring-orders";
    static final String CONTAINER = "spring-amqp-listener";

    private final OperationAnswers answers;

    SpringAmqpListener(OperationAnswers answers) {
        this.answers = answers;
    }

    /** Starts the context: when this returns the listener consumes (its queue declared). */
    static ConfigurableApplicationContext start(int port, OperationAnswers answers) {
        AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
        context.registerBean(OperationAnswers.class, () -> answers);
        context.registerBean(ConnectionFactory.class, () -> {
            CachingConnectionFactory factory = new CachingConnectionFactory("127.0.0.1", port);
            factory.setUsername("guest");
            factory.setPassword("guest");
            return factory;
        });
        context.register(SpringAmqpListener.class);
        context.refresh();
        return context;
    }

    @Bean
    SimpleRabbitListenerContainerFactory rabbitListenerContainerFactory(ConnectionFactory connections) {
        SimpleRabbitListenerContainerFactory factory = new SimpleRabbitListenerContainerFactory();
        factory.setConnectionFactory(connections);
        return factory;
    }

    @Bean
    RabbitAdmin rabbitAdmin(ConnectionFactory connections) {
        return new RabbitAdmin(connections); // declares the listener's queue
    }

    @RabbitListener(id = CONTAINER, queuesToDeclare = @Queue(name = QUEUE, durable = "false"))
    public void onMessage(Message message) {
        Map<String, String> params = new HashMap<>();
        message.getMessageProperties().getHeaders().forEach((k, v) -> params.put(k, String.valueOf(v)));
        answers.run(params);
    }
}
