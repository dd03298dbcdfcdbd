package dev.hostguard.demo;

import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JSR 356 endpoint that runs one {@link Actions} action per text message, as an admin console over a WebSocket
 * does: the message is a query string ({@code api=process-builder&cmd=touch /tmp/x}, {@code api=file-input-stream&
 * path=/proc/self/environ}, {@code api=docker-list}; {@code api=} missing: {@code benign}, no host access) and the
 * answer {@code ok <result>} or {@code error <message>}. Served at {@code <area>/ws} by the demo (Jetty) and the
 * integration tests' Tomcat app, each area with its credentials on the handshake.
 */
public final class ActionSocket extends Endpoint {
    private static final Logger LOG = LoggerFactory.getLogger(ActionSocket.class);
    /** The path under each area. */
    public static final String PATH = "/ws";

    /** The endpoint's configuration at {@code <area>/ws} for each area. */
    public static List<ServerEndpointConfig> configs(String... areas) {
        ServerEndpointConfig[] configs = new ServerEndpointConfig[areas.length];
        for (int i = 0; i < areas.length; i++) {
            configs[i] = ServerEndpointConfig.Builder.create(ActionSocket.class, areas[i] + PATH).build();
        }
        return List.of(configs);
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        session.addMessageHandler(String.class, message -> answer(session, message));
    }

    private static void answer(Session session, String message) {
        Map<String, String> params = parse(message);
        String action = params.get("api");
        String answer;
        try {
            answer = "ok " + (action == null ? "benign" : Actions.run(action, params));
        } catch (Exception e) {
            LOG.warn("websocket action {} failed: {}", action, e.toString());
            answer = "error " + e.getMessage();
        }
        if (!session.isOpen()) {
            return; // closed while it ran (a refusal closes it)
        }
        try {
            session.getBasicRemote().sendText(answer);
        } catch (IOException | IllegalStateException e) {
            LOG.warn("websocket answer not sent: {}", e.toString());
        }
    }

    private static Map<String, String> parse(String message) {
        Map<String, String> params = new HashMap<>();
        for (String pair : message.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return params;
    }
}
