package dev.hostguard.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A WebSocket session of the JDK's client ({@code java.net.http.WebSocket}) with a {@link GuardedService}: the
 * handshake carries what {@link Credentials} present; text messages and the server's close are collected for
 * bounded waits.
 */
final class WebSocketTestClient implements AutoCloseable {
    private static final Duration WAIT = EventLog.DEFAULT_WAIT;

    /** The server's close: its status code and reason. */
    record Closed(int code, String reason) {
    }

    private final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final List<String> received = new ArrayList<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final WebSocket socket;

    private WebSocketTestClient(URI uri, GuardedService service, Credentials credentials) {
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
    }

    /** Opens {@code ws://<service><area>/ws} with the handshake of {@code credentials}. */
    static WebSocketTestClient open(GuardedService service, Credentials credentials) {
        URI base = service.process().baseUri();
        URI uri = URI.create("ws://" + base.getHost() + ":" + base.getPort() + service.server().area(credentials)
                + "/ws");
        return new WebSocketTestClient(uri, service, credentials);
    }

    void send(String text) {
        socket.sendText(text, true).join();
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
        try {
            return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("the server did not close the session within " + WAIT + "; received "
                    + received(), e);
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
                synchronized (WebSocketTestClient.this) {
                    received.add(message);
                }
                messages.add(message);
            }
            webSocket.request(1);
            return null;
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
