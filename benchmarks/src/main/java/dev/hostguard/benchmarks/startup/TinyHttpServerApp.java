package dev.hostguard.benchmarks.startup;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The smallest service the start-up budget is measured on (see {@code scripts/measure-startup.sh}): the JDK's
 * {@code HttpServer} on a free loopback port answering {@code /hello}. JDK-only and one file, so the script can
 * compile it with {@code javac} alone. Its first line on standard output is
 * {@code tiny-app listening on http://127.0.0.1:<port>}.
 */
public final class TinyHttpServerApp {
    private static final byte[] HELLO = "hello\n".getBytes(StandardCharsets.US_ASCII);

    private TinyHttpServerApp() {
    }

    public static void main(String[] args) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hello", exchange -> {
            exchange.sendResponseHeaders(200, HELLO.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(HELLO);
            }
        });
        server.start();
        System.out.println("tiny-app listening on http://127.0.0.1:" + server.getAddress().getPort());
    }
}
