package dev.hostguard.testapps.boot3;

import dev.hostguard.testapps.ops.HostOperations;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
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
 * {@link HostOperations} operation and is answered {@code ok <result>} or {@code error <message>}.
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
        Map<String, String> params = new HashMap<>();
        for (String pair : message.getPayload().split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        String answer;
        try {
            answer = "ok " + HostOperations.run(params.getOrDefault("op", "benign"), params);
        } catch (Exception e) {
            answer = "error " + e.getMessage();
        }
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
