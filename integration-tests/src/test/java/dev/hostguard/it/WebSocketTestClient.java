package dev.hostguard.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A WebSocket session of the JDK's client ({@code java.net.http.WebSocket}) with a {@link GuardedService}: the
 * handshake carries what {@link Credentials} present; text messages and the server's close are collected for
 * bounded waits. Over {@link Endpoint#STOMP} each text is the body of a STOMP {@code SEND} to {@code /app/op} and
 * each message the body of a {@code MESSAGE} the session subscribed to.
 */
final class WebSocketTestClient implements AutoCloseable {
    private static final Duration WAIT = EventLog.DEFAULT_WAIT;
    /** What the WebFlux app's sockets say first (its {@code OperationsSocket.READY}). */
    private static final String WEBFLUX_GREETING = "ready";

    /**
     * What a service serves at {@code <area><path>}: plain text messages, or STOMP frames carrying them;
     * {@code WS_LATE}: plain text messages to a handler that asks for them a while after the handshake (the WebFlux
     * app's), so that the message sent at once waits for it.
     */
    enum Endpoint {
        WS("/ws"), STOMP("/stomp"), WS_LATE("/ws-late");

        final String path;

        Endpoint(String path) {
            this.path = path;
        }
    }

    /** The server's close: its status code and reason. */
    record Closed(int code, String reason) {
    }

    private final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final List<String> received = new ArrayList<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final CompletableFuture<Void> stompConnected = new CompletableFuture<>();
    /** Completed by the WebFlux app's greeting; already complete for the servers that send none. */
    private final CompletableFuture<Void> greeted = new CompletableFuture<>();
    private final WebSocket socket;
    private final Endpoint endpoint;
    private final String replyTo = "/topic/answers-" + UUID.randomUUID();

    private WebSocketTestClient(URI uri, GuardedService service, Credentials credentials, Endpoint endpoint) {
        this.endpoint = endpoint;
        if (service.server() != GuardedServer.SPRING_WEBFLUX) {
            greeted.complete(null);
        }
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(WAIT);
        switch (credentials) {
            case NONE -> { }
            case API_KEY -> builder.header(service.server().keyHeader(), service.secrets().apiKey());
            case USER_LOGIN -> builder.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (service.secrets().opsUser() + ":" + service.secrets().opsPassword())
                            .getBytes(StandardCharsets.UTF_8)));
        }
        try {
            socket = builder.buildAsync(uri, new Collector()).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("the WebSocket handshake to " + uri + " failed", e);
        }
        // The WebFlux app greets first: Reactor Netty 1.2 drops a message that arrives before its session has
        // taken over the connection, later than its handshake's answer when WebFlux upgrades off the event loop
        await(greeted, "the WebFlux socket's greeting");
        if (endpoint == Endpoint.STOMP) {
            socket.sendText(frame("CONNECT", "accept-version:1.2\nhost:localhost\n", ""), true).join();
            await(stompConnected, "the STOMP CONNECTED frame");
            socket.sendText(frame("SUBSCRIBE", "id:0\ndestination:" + replyTo + "\n", ""), true).join();
        }
    }

    private static String frame(String command, String headers, String body) {
        return command + "\n" + headers + "\n" + body + "\0";
    }

    /** Opens {@code ws://<service><area>/ws} with the handshake of {@code credentials}. */
    static WebSocketTestClient open(GuardedService service, Credentials credentials) {
        return open(service, credentials, Endpoint.WS);
    }

    /** Opens {@code ws://<service><area><endpoint's path>} with the handshake of {@code credentials}. */
    static WebSocketTestClient open(GuardedService service, Credentials credentials, Endpoint endpoint) {
        URI base = service.process().baseUri();
        URI uri = URI.create("ws://" + base.getHost() + ":" + base.getPort() + service.server().area(credentials)
                + endpoint.path);
        return new WebSocketTestClient(uri, service, credentials, endpoint);
    }

    void send(String text) {
        socket.sendText(endpoint == Endpoint.STOMP ? frame("SEND", "destination:/app/op\nreply-to:" + replyTo
                + "\ncontent-type:text/plain\n", text) : text, true).join();
    }

    /** The next text message, waited for (bounded); fails when the server closed the session first. */
    String awaitMessage() {
        long deadline = System.nanoTime() + WAIT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                String message = messages.poll(50, TimeUnit.MILLISECONDS);
                if (message != null) {
                    return message;
                }
                if (closed.isDone() && messages.isEmpty()) {
                    throw new AssertionError("the server closed the session instead of answering: " + closed.join());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        throw new AssertionError("no message within " + WAIT);
    }

    /** The server's close, waited for (bounded). */
    Closed awaitClose() {
        return await(closed, "the server's close");
    }

    private <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("no " + what + " within " + WAIT + "; received " + received(), e);
        }
    }

    boolean closedByServer() {
        return closed.isDone();
    }

    /** Every text message received so far. */
    synchronized List<String> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").exceptionally(t -> null);
        }
        socket.abort();
    }

    private final class Collector implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String message = partial.toString();
                partial.setLength(0);
                if (!greeted.isDone() && message.equals(WEBFLUX_GREETING)) {
                    greeted.complete(null);
                    webSocket.request(1);
                    return null;
                }
                if (endpoint == Endpoint.STOMP) {
                    message = stompBody(message);
                    if (message == null) {
                        webSocket.request(1);
                        return null;
                    }
                }
                synchronized (WebSocketTestClient.this) {
                    received.add(message);
                }
                messages.add(message);
            }
            webSocket.request(1);
            return null;
        }

        /** A {@code MESSAGE}'s body; {@code null} for any other frame (a {@code CONNECTED} one is noted). */
        private String stompBody(String frame) {
            if (frame.startsWith("CONNECTED\n")) {
                stompConnected.complete(null);
            }
            int body = frame.indexOf("\n\n");
            if (!frame.startsWith("MESSAGE\n") || body < 0) {
                return frame.startsWith("ERROR\n") ? frame : null;
            }
            int end = frame.indexOf('\0', body);
            return frame.substring(body + 2, end < 0 ? frame.length() : end);
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new Closed(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }
    }
}
