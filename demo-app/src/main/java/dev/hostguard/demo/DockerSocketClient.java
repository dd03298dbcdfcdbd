package dev.hostguard.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Minimal HTTP/1.1 client for the Docker Engine API over its Unix-domain socket, using only the
 * JDK (16+) so that the connect is a plain {@code SocketChannel} a guard can see.
 */
final class DockerSocketClient {

    static final String DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";
    private static final long TIMEOUT_SECONDS = 10;

    private final Path socket;

    private DockerSocketClient(Path socket) {
        this.socket = socket;
    }

    /** The socket named by the {@code socket} parameter, else DOCKER_HOST, else the default. */
    static DockerSocketClient forParams(Map<String, String> params) {
        String override = params.get("socket");
        return new DockerSocketClient(socketPath(override != null && !override.isBlank()
                ? override : System.getenv("DOCKER_HOST")));
    }

    /** The socket at {@code socket}: {@code unix:///path} or a plain path (relative ones against the working directory). */
    static DockerSocketClient at(String socket) {
        return new DockerSocketClient(socketPath(socket));
    }

    /** Accepts {@code unix:///path}, a plain path, or null/blank for the default. */
    static Path socketPath(String dockerHost) {
        String host = dockerHost == null || dockerHost.isBlank() ? DEFAULT_DOCKER_HOST : dockerHost.trim();
        if (host.startsWith("unix://")) {
            return Path.of(host.substring("unix://".length()));
        }
        if (host.contains("://")) {
            throw new IllegalArgumentException("DOCKER_HOST must be unix:///path or a plain socket path, not " + host);
        }
        return Path.of(host);
    }

    String get(String path) throws IOException {
        return exchange("GET " + path + " HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n");
    }

    String post(String path, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return exchange("POST " + path + " HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n" + json);
    }

    /** Sends one request and returns {@code status=<code>\n<body>}. */
    private String exchange(String request) throws IOException {
        if (!Files.exists(socket)) {
            throw new IOException("Docker socket not found at " + socket + " (set DOCKER_HOST to unix:///path)");
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            // blocking channels have no read timeout: close the channel if Docker stalls
            CompletableFuture.delayedExecutor(TIMEOUT_SECONDS, TimeUnit.SECONDS).execute(() -> closeQuietly(channel));
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
                ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8));
                while (out.hasRemaining()) {
                    channel.write(out);
                }
                return parse(Channels.newInputStream(channel).readNBytes(Actions.MAX_OUTPUT_BYTES));
            } catch (AsynchronousCloseException e) {
                throw new IOException("Docker at " + socket + " did not answer within " + TIMEOUT_SECONDS + " s", e);
            } catch (IOException e) {
                throw new IOException("Docker at " + socket + " failed: " + e, e);
            }
        }
    }

    private static String parse(byte[] response) throws IOException {
        int headerEnd = indexOf(response, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
        if (headerEnd < 0) {
            throw new IOException("no HTTP response from Docker");
        }
        String head = new String(response, 0, headerEnd, StandardCharsets.ISO_8859_1);
        String[] statusLine = head.split("\r\n", 2)[0].split(" ", 3);
        byte[] body = Arrays.copyOfRange(response, headerEnd + 4, response.length);
        if (head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
            body = dechunk(body);
        }
        return "status=" + (statusLine.length > 1 ? statusLine[1] : "?") + "\n"
                + new String(body, StandardCharsets.UTF_8);
    }

    /** Decodes a chunked body (Docker streams larger answers that way); tolerates truncation. */
    private static byte[] dechunk(byte[] chunked) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int at = 0;
        while (at < chunked.length) {
            int lineEnd = indexOf(chunked, new byte[] {'\r', '\n'}, at);
            if (lineEnd < 0) {
                break;
            }
            String sizeField = new String(chunked, at, lineEnd - at, StandardCharsets.US_ASCII).split(";")[0].trim();
            int size = Integer.parseInt(sizeField, 16);
            if (size == 0) {
                break;
            }
            int start = lineEnd + 2;
            body.write(chunked, start, Math.min(size, chunked.length - start));
            at = start + size + 2;
        }
        return body.toByteArray();
    }

    private static int indexOf(byte[] data, byte[] needle, int from) {
        outer:
        for (int i = from; i <= data.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
