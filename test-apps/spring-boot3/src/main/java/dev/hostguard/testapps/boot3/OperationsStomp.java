package dev.hostguard.testapps.boot3;

import dev.hostguard.testapps.ops.HostOperations;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.messaging.handler.annotation.MessageMapping;
import org.springframework.messaging.handler.annotation.Payload;
import org.springframework.messaging.simp.SimpMessagingTemplate;
import org.springframework.messaging.simp.config.MessageBrokerRegistry;
import org.springframework.stereotype.Controller;
import org.springframework.web.socket.config.annotation.EnableWebSocketMessageBroker;
import org.springframework.web.socket.config.annotation.StompEndpointRegistry;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;

/**
 * STOMP over Spring's WebSocket at {@code /key/stomp}, {@code /basic/stomp} and {@code /anon/stomp}, each behind its
 * family's filter chain ({@link SecurityConfig}), with the simple broker: a {@code SEND} to {@code /app/op} whose
 * body is {@code op=<op>[&cmd=..&dir=..]} runs that {@link HostOperations} operation in the {@code @MessageMapping}
 * method, on a thread of Spring's {@code clientInboundChannel} executor (the frame is read on Tomcat's), and the
 * answer, {@code ok <result>} or {@code error <message>}, is sent to the destination the frame's {@code reply-to}
 * header names (the client subscribed to it first; a session's frames are handled in order), as
 * {@link OperationsSocket} answers.
 */
@Configuration
@EnableWebSocketMessageBroker
class OperationsStomp implements WebSocketMessageBrokerConfigurer {

    @Override
    public void registerStompEndpoints(StompEndpointRegistry registry) {
        registry.addEndpoint("/key/stomp", "/basic/stomp", "/anon/stomp");
        // a session's frames in their order, still on the executor's threads: its SEND after its SUBSCRIBE
        registry.setPreserveReceiveOrder(true);
    }

    @Override
    public void configureMessageBroker(MessageBrokerRegistry registry) {
        registry.enableSimpleBroker("/topic");
        registry.setApplicationDestinationPrefixes("/app");
    }

    @Controller
    static class Operations {
        private final SimpMessagingTemplate template;

        Operations(SimpMessagingTemplate template) {
            this.template = template;
        }

        @MessageMapping("/op")
        void run(@Payload String message, @Header("reply-to") String replyTo) {
            template.convertAndSend(replyTo, HostOperations.answer(message));
        }
    }
}
