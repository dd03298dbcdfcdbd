package dev.hostguard.testapps.boot3;

import dev.hostguard.testapps.ops.HostOperations;
import java.io.IOException;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/**
 * Spring's {@code WebSocketHandler} at {@code /key/ws}, {@code /basic/ws} and {@code /anon/ws}, each behind its
 * family's filter chain ({@link SecurityConfig}): a text message {@code op=<op>[&cmd=..&dir=..]} runs that
 * {@link HostOperations} operation and is answered ({@link HostOperations#answer}).
 */
@Configuration
@EnableWebSocket
class OperationsSocket extends TextWebSocketHandler implements WebSocketConfigurer {

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        registry.addHandler(this, "/key/ws", "/basic/ws", "/anon/ws");
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        String answer = HostOperations.answer(message.getPayload());
        if (!session.isOpen()) {
            return; // closed while it ran (a refusal closes it)
        }
        try {
            session.sendMessage(new TextMessage(answer));
        } catch (IOException | IllegalStateException e) {
            System.err.println("websocket answer not sent: " + e);
        }
    }
}
