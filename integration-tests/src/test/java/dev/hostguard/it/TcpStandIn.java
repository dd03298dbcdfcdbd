package dev.hostguard.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A control plane's stand-in on loopback (port 0: binding 2375 or 169.254.169.254 may not be possible): accepts
 * connections one at a time, in order, records each one's request line ({@code GET /tcp-socket HTTP/1.1}) and
 * answers {@code 200} with {@value #BODY}. Runs in the test JVM, without the agent.
 *
 * <p>What it proves: a connection the guard refused never reached it. A refused connect never gets to the kernel,
 * so it is not in the listener's backlog; {@link #probe()} connects from the test itself, and once the probe's line
 * is recorded, a connection made before it would have been recorded before it (one at a time, in order).
 */
final class TcpStandIn implements AutoCloseable {
    static final String BODY = "control plane stand-in";
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final String name;
    private final ServerSocket server;
    private final List<String> recorded = new ArrayList<>();
    private final AtomicInteger probes = new AtomicInteger();
    private final Thread acceptor;

    TcpStandIn(String name) throws IOException {
        this.name = name;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.acceptor = new Thread(this::serve, "tcp-stand-in-" + name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * A stand-in of its own ({@code <address> <port> <record file>}): binds there (e.g. 169.254.169.254:80 inside a
     * network namespace of the test's making), appends each request line to the record file, prints
     * {@code listening} and serves until killed.
     */
    public static void main(String[] args) throws Exception {
        java.nio.file.Path record = java.nio.file.Path.of(args[2]);
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1])));
        System.out.println("listening");
        System.out.flush();
        while (true) {
            try (Socket socket = server.accept()) {
                socket.setSoTimeout((int) WAIT.toMillis());
                java.nio.file.Files.writeString(record, requestLine(socket.getInputStream()) + "\n",
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                byte[] body = BODY.getBytes(StandardCharsets.US_ASCII);
                socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().write(body);
            }
        }
    }

    int port() {
        return server.getLocalPort();
    }

    /** The request lines recorded so far, in the order the connections came. */
    synchronized List<String> recorded() {
        return List.copyOf(recorded);
    }

    /** The lines recorded after the first {@code index}. */
    synchronized List<String> recordedSince(int index) {
        return List.copyOf(recorded.subList(Math.min(index, recorded.size()), recorded.size()));
    }

    /**
     * Connects from the test JVM, waits until the stand-in recorded it, and returns every line recorded since
     * {@code index}: the probe's last, and before it any connection that reached the stand-in earlier.
     */
    List<String> probe(int index) throws IOException, InterruptedException {
        String line = "GET /probe-" + probes.incrementAndGet() + " HTTP/1.1";
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port())) {
            socket.getOutputStream().write((line + "\r\nHost: probe\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getInputStream().readAllBytes();
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        synchronized (this) {
            while (!recorded.contains(line)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(name + ": the probe was not recorded: " + recorded);
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }
        return recordedSince(index);
    }

    /** The probe's request line for {@code lines} (the last one), for assertions. */
    static boolean isProbe(String line) {
        return line.startsWith("GET /probe-");
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                socket.setSoTimeout((int) WAIT.toMillis());
                String line = requestLine(socket.getInputStream());
                synchronized (this) {
                    recorded.add(line);
                    notifyAll();
                }
                OutputStream out = socket.getOutputStream();
                byte[] body = BODY.getBytes(StandardCharsets.US_ASCII);
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
            } catch (SocketException closed) {
                return;
            } catch (IOException e) {
                synchronized (this) {
                    recorded.add("ERROR " + e);
                    notifyAll();
                }
            }
        }
    }

    /** Reads the request head; returns its first line (or what came before the connection ended). */
    private static String requestLine(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        for (int b; matched < 4 && (b = in.read()) >= 0 && head.size() < 64 * 1024; ) {
            head.write(b);
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        int eol = text.indexOf("\r\n");
        return eol < 0 ? "EMPTY " + text : text.substring(0, eol);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    @Override
    public String toString() {
        return name + " on 127.0.0.1:" + port();
    }
}
