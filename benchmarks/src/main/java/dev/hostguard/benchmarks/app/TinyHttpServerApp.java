package dev.hostguard.benchmarks.app;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The smallest service worth guarding: the JDK's own {@code com.sun.net.httpserver} answering {@code hello} to
 * every request, on its default executor (the dispatcher thread). Used by {@code benchmarks/run-comparison.sh} for
 * start-up to first answer, memory after load and the cost of a hello request, with and without HostGuard.
 *
 * <p>Env {@code PORT} (default 0: any free port). Prints {@code tiny-httpserver listening on
 * http://127.0.0.1:<port>} once it accepts connections.
 */
public final class TinyHttpServerApp {
    /** The readiness line's prefix; the port follows. */
    public static final String READY_PREFIX = "tiny-httpserver listening on http://";

    private static final byte[] HELLO = "hello\n".getBytes(StandardCharsets.US_ASCII);

    private TinyHttpServerApp() {
    }

    public static void main(String[] args) throws IOException {
        // Without it the JDK server writes the headers and the body in two segments and the client's delayed ACK
        // holds the second for 40 ms: ~25 requests/s a connection, a figure of TCP, not of the service.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "0"));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, HELLO.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(HELLO);
            }
        });
        server.start();
        System.out.println(READY_PREFIX + "127.0.0.1:" + server.getAddress().getPort());
    }
}
