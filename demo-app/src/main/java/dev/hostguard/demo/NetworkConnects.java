package dev.hostguard.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The network actions: one {@code GET /<action>} over HTTP/1.1 to {@code host:port} (the parameters), each through
 * a different JDK client, as a service asks a cloud metadata service, a kubelet or a Docker daemon on TCP.
 * Each returns {@code "status=<http status>\n<body>"}. The host is used as given: a name is resolved as the client
 * resolves it, an address is not.
 */
final class NetworkConnects {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private NetworkConnects() {
    }

    /** {@code new Socket(host, port)} (through {@code NioSocketImpl}). */
    static String socket(Map<String, String> p) throws IOException {
        try (Socket socket = new Socket(host(p), port(p))) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            return exchange(socket.getOutputStream(), socket.getInputStream(), host(p), "/tcp-socket");
        }
    }

    /** {@code SocketChannel.open(new InetSocketAddress(host, port))}, blocking. */
    static String socketChannel(Map<String, String> p) throws IOException {
        try (SocketChannel channel = SocketChannel.open(new InetSocketAddress(host(p), port(p)))) {
            return exchange(Channels.newOutputStream(channel), Channels.newInputStream(channel), host(p),
                    "/tcp-socket-channel");
        }
    }

    /** {@code AsynchronousSocketChannel.connect(...).get()}. */
    static String asyncChannel(Map<String, String> p) throws Exception {
        try (AsynchronousSocketChannel channel = AsynchronousSocketChannel.open()) {
            channel.connect(new InetSocketAddress(host(p), port(p))).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            byte[] request = request(host(p), "/tcp-async-channel");
            ByteBuffer out = ByteBuffer.wrap(request);
            while (out.hasRemaining()) {
                channel.write(out).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            while (channel.read(in).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS) >= 0 && in.hasRemaining()) {
                // read to the end: the answer closes the connection
            }
            return answer(new String(in.array(), 0, in.position(), StandardCharsets.UTF_8));
        }
    }

    /** The JDK's {@code java.net.http.HttpClient}, {@code send}. */
    static String httpClient(Map<String, String> p) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri(p, "/tcp-http-client")).timeout(TIMEOUT)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        return "status=" + response.statusCode() + "\n" + response.body();
    }

    /** {@code new URL("http://host:port/...").openConnection()} (the JDK's {@code HttpURLConnection}). */
    static String urlConnection(Map<String, String> p) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) uri(p, "/tcp-url-connection").toURL().openConnection();
        connection.setConnectTimeout((int) TIMEOUT.toMillis());
        connection.setReadTimeout((int) TIMEOUT.toMillis());
        connection.setUseCaches(false);
        try (InputStream in = connection.getInputStream()) {
            return "status=" + connection.getResponseCode() + "\n" + new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            connection.disconnect();
        }
    }

    private static String exchange(OutputStream out, InputStream in, String host, String path) throws IOException {
        out.write(request(host, path));
        out.flush();
        return answer(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }

    private static byte[] request(String host, String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static String answer(String response) {
        String[] headAndBody = response.split("\r\n\r\n", 2);
        String[] statusLine = headAndBody[0].split(" ", 3);
        return "status=" + (statusLine.length > 1 ? statusLine[1] : "?") + "\n" + (headAndBody.length > 1 ? headAndBody[1] : "");
    }

    private static URI uri(Map<String, String> p, String path) {
        String host = host(p);
        return URI.create("http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port(p) + path);
    }

    private static String host(Map<String, String> p) {
        return Actions.required(p, "host");
    }

    private static int port(Map<String, String> p) {
        return Integer.parseInt(Actions.required(p, "port"));
    }
}
