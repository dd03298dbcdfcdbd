package dev.hostguard.demo.dockerstandin;

import dev.hostguard.demo.JsonError;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A stand-in for the Docker Engine API on a Unix-domain socket, so the demo and the tests can show what reached
 * "Docker" without a Docker daemon. JDK only ({@code ServerSocketChannel.open(StandardProtocolFamily.UNIX)}).
 *
 * <pre>java -cp hostguard-demo.jar dev.hostguard.demo.dockerstandin.DockerStandIn &lt;socket-path&gt; &lt;record-file&gt;</pre>
 *
 * <p>Prints {@value #READY_PREFIX}{@code <absolute socket path>} once it accepts connections. Given
 * {@code tcp://<loopback address>:<port>} instead of a socket path it listens there, as a daemon started with
 * {@code -H tcp://} does (port 0: one the system picks), and prints {@value #TCP_READY_PREFIX}{@code <address>:<port>}.
 * Serves one HTTP/1.1
 * request per connection, in the order the connections were accepted (one at a time), bodies by
 * {@code Content-Length}, an optional {@code /v1.xx} version prefix ignored. With a third argument
 * {@code --keep-alive} it serves as the Docker daemon does instead: every connection on a thread of its own, request
 * after request until the client closes it (30 s idle at most), so a client's pool keeps its connections:
 * <ul>
 *   <li>{@code GET /_ping}, {@code HEAD /_ping}: 200 {@code OK} (what the docker CLI asks first)</li>
 *   <li>{@code GET /version}: 200 a small version object</li>
 *   <li>{@code GET /containers/json}: 200 a JSON list (one running container, plus every one created so far)</li>
 *   <li>{@code POST /containers/create}: 201 {@code {"Id":"<64 hex>","Warnings":[]}}; nothing is run</li>
 *   <li>anything else: 404 {@code {"message":"page not found"}}</li>
 * </ul>
 * Every connection it accepted becomes one JSON line in the record file, written and flushed before the answer
 * is sent: {@code {"n":1,"time":"...","method":"POST","path":"/containers/create","body":"..."}} (the path as
 * sent, version prefix and query included), or with an
 * {@code "incomplete"} reason when no whole request arrived within 5 s. A request the stand-in never accepted has
 * no line: that is how the demo and the tests prove a connection never happened. The record file is appended
 * to; the socket file is replaced if it is a stale socket (never if it is anything else) and deleted on exit.
 *
 * <p>With {@code --keep-alive} each line also names its connection ({@code "connection":3}, numbered as accepted),
 * {@code n} counts lines, and when a connection ends one more line says so:
 * {@code {"n":7,"connection":3,"time":"...","closed":"by the client","requests":2}}, {@code requests} the whole
 * requests it carried (bytes that arrived after the last of them are recorded first, as an {@code incomplete}
 * request). A connection's lines prove what reached the daemon on it: a
 * request a client wrote on a kept connection is either a line of that connection or nowhere.
 */
public final class DockerStandIn implements AutoCloseable {

    /** The readiness line's prefix, followed by the socket's absolute path. */
    public static final String READY_PREFIX = "docker stand-in listening on unix:";
    /** The readiness line's prefix on TCP, followed by the address and the port it listens on. */
    public static final String TCP_READY_PREFIX = "docker stand-in listening on tcp://";

    private static final int MAX_HEAD_BYTES = 64 * 1024;
    private static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final long CONNECTION_TIMEOUT_SECONDS = 5;
    private static final long IDLE_TIMEOUT_SECONDS = 30;
    private static final Pattern VERSION_PREFIX = Pattern.compile("^/v\\d+(\\.\\d+)?(?=/)");
    private static final String RUNNING_ID = "5ca1ab1e".repeat(8);

    private final Path socket;
    private final Path recordFile;
    private final ServerSocketChannel server;
    private final Writer record;
    private final ScheduledExecutorService timeouts;
    private final Thread acceptor;
    private final List<String> created = new CopyOnWriteArrayList<>();
    private final SecureRandom random = new SecureRandom();
    private final long started = Instant.now().getEpochSecond();
    private final boolean verbose;
    private final boolean keepAlive;
    private long accepted;
    private long lines;
    private volatile boolean closed;

    private DockerStandIn(Path socket, Path recordFile, ServerSocketChannel server, Writer record, boolean verbose,
                          boolean keepAlive) {
        this.verbose = verbose;
        this.keepAlive = keepAlive;
        this.socket = socket;
        this.recordFile = recordFile;
        this.server = server;
        this.record = record;
        this.timeouts = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "docker-stand-in-timeouts");
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::acceptLoop, "docker-stand-in");
        this.acceptor.setDaemon(true);
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2 && !(args.length == 3 && args[2].equals("--keep-alive"))) {
            System.err.println("usage: java -cp hostguard-demo.jar " + DockerStandIn.class.getName()
                    + " <socket-path>|tcp://127.0.0.1:<port> <record-file> [--keep-alive]");
            System.exit(2);
            return;
        }
        DockerStandIn standIn;
        boolean tcp = args[0].startsWith("tcp://");
        try {
            standIn = tcp ? startTcp(args[0].substring("tcp://".length()), Path.of(args[1]), args.length == 3)
                    : start(Path.of(args[0]), Path.of(args[1]), true, args.length == 3);
        } catch (IOException | RuntimeException e) {
            System.err.println("docker stand-in: cannot listen on " + args[0] + ": " + e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(standIn::close, "docker-stand-in-stop"));
        System.out.println(tcp ? TCP_READY_PREFIX + standIn.tcpAddress() : READY_PREFIX + standIn.socket());
        System.out.flush();
        standIn.acceptor.join();
    }

    /**
     * Listens on {@code socket} (parent directories created) and records into {@code recordFile} (created if
     * missing, appended to), serving on a daemon thread until {@link #close()}.
     */
    public static DockerStandIn start(Path socket, Path recordFile) throws IOException {
        return start(socket, recordFile, false, false);
    }

    /** As {@link #start(Path, Path)}; {@code verbose}: one line per request on standard output, as the command does. */
    private static DockerStandIn start(Path socket, Path recordFile, boolean verbose, boolean keepAlive)
            throws IOException {
        Path absolute = socket.toAbsolutePath().normalize();
        Files.createDirectories(absolute.getParent());
        removeStaleSocket(absolute);
        Writer record = Files.newBufferedWriter(recordFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        ServerSocketChannel server;
        try {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                server.bind(UnixDomainSocketAddress.of(absolute));
            } catch (IOException | RuntimeException e) {
                server.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            record.close();
            throw e;
        }
        DockerStandIn standIn = new DockerStandIn(absolute, recordFile.toAbsolutePath(), server, record, verbose,
                keepAlive);
        standIn.acceptor.start();
        return standIn;
    }

    /**
     * Listens on TCP at {@code hostPort} ({@code 127.0.0.1:0}: a port the system picks), a loopback address only: the
     * stand-in is a test's daemon, never one a network can reach.
     */
    private static DockerStandIn startTcp(String hostPort, Path recordFile, boolean keepAlive) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        InetAddress address = InetAddress.getByName(hostPort.substring(0, colon));
        if (!address.isLoopbackAddress()) {
            throw new IOException(address + " is not a loopback address");
        }
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            server.bind(new InetSocketAddress(address, Integer.parseInt(hostPort.substring(colon + 1))));
            Writer record = Files.newBufferedWriter(recordFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            DockerStandIn standIn = new DockerStandIn(null, recordFile.toAbsolutePath(), server, record, true,
                    keepAlive);
            standIn.acceptor.start();
            return standIn;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** {@code <address>:<port>} it listens on, when on TCP. */
    public String tcpAddress() {
        try {
            InetSocketAddress local = (InetSocketAddress) server.getLocalAddress();
            return local.getAddress().getHostAddress() + ":" + local.getPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The socket's absolute path; {@code null} when it listens on TCP. */
    public Path socket() {
        return socket;
    }

    public Path recordFile() {
        return recordFile;
    }

    /** The record file's lines so far, one per accepted connection. */
    public List<String> recordedLines() throws IOException {
        return Files.readAllLines(recordFile, StandardCharsets.UTF_8);
    }

    /** Stops accepting, waits (briefly) for the connection in progress, deletes the socket file. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(CONNECTION_TIMEOUT_SECONDS + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timeouts.shutdownNow();
        try {
            if (socket != null) {
                Files.deleteIfExists(socket);
            }
        } catch (IOException ignored) {
            // best effort: a stale socket is replaced at the next start
        }
        synchronized (record) {
            try {
                record.close();
            } catch (IOException ignored) {
                // every line was flushed when written
            }
        }
    }

    private static void removeStaleSocket(Path socket) throws IOException {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        BasicFileAttributes attributes = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isOther()) {
            throw new IOException(socket + " exists and is not a socket; refusing to replace it");
        }
        Files.delete(socket);
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException e) {
                return; // close()
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("docker stand-in: accept failed: " + e);
                }
                return;
            }
            long n = ++accepted;
            if (keepAlive) {
                Thread connection = new Thread(() -> serveKeepAlive(channel, n), "docker-stand-in-" + n);
                connection.setDaemon(true);
                connection.start();
            } else {
                serve(channel, n);
            }
        }
    }

    /** One kept-alive connection: request after request until the client closes it, 30 s idle at most. */
    private void serveKeepAlive(SocketChannel channel, long connection) {
        int requests = 0;
        String end = "by the client";
        try (channel) {
            InputStream in = new BufferedInputStream(Channels.newInputStream(channel));
            while (true) {
                ScheduledFuture<?> idle = timeouts.schedule(() -> closeQuietly(channel), IDLE_TIMEOUT_SECONDS,
                        TimeUnit.SECONDS);
                Request request;
                try {
                    in.mark(1);
                    if (in.read() < 0) {
                        break;
                    }
                    in.reset();
                    request = Request.read(in);
                } finally {
                    idle.cancel(false);
                }
                record(connection, request);
                if (request.incomplete() != null) {
                    end = "after an incomplete request";
                    break;
                }
                requests++;
                Answer answer = answer(request);
                ByteBuffer out = ByteBuffer.wrap(answer.bytes(true));
                while (out.hasRemaining()) {
                    channel.write(out);
                }
                if (verbose) {
                    System.out.println("docker stand-in: " + request.method() + " " + request.path() + " -> "
                            + answer.status() + " (connection " + connection + ")");
                }
            }
        } catch (IOException e) {
            end = closed ? "stand-in stopped" : "failed: " + e;
        }
        try {
            String line = ",\"connection\":" + connection + ",\"time\":" + json(Instant.now().toString())
                    + ",\"closed\":" + json(end) + ",\"requests\":" + requests + "}\n";
            writeLine(line);
        } catch (IOException e) {
            System.err.println("docker stand-in: cannot record the end of connection " + connection + ": " + e);
        }
    }


    /** One connection: read one request, record it, answer, close. Bounded by a 5 s timeout. */
    private void serve(SocketChannel channel, long n) {
        ScheduledFuture<?> timeout = timeouts.schedule(() -> closeQuietly(channel), CONNECTION_TIMEOUT_SECONDS,
                TimeUnit.SECONDS);
        try (channel) {
            Request request = Request.read(new BufferedInputStream(Channels.newInputStream(channel)));
            record(n, request);
            if (request.incomplete() != null) {
                return;
            }
            Answer answer = answer(request);
            byte[] bytes = answer.bytes(false);
            ByteBuffer out = ByteBuffer.wrap(bytes);
            // one request per connection: Connection: close
            while (out.hasRemaining()) {
                channel.write(out);
            }
            if (verbose) {
                System.out.println("docker stand-in: " + request.method() + " " + request.path() + " -> " + answer.status());
            }
        } catch (IOException e) {
            System.err.println("docker stand-in: connection " + n + " failed: " + e);
        } finally {
            timeout.cancel(false);
        }
    }

    /** One line for {@code request}: {@code n} is the connection (without keep-alive, one line each). */
    private void record(long n, Request request) throws IOException {
        String line = (keepAlive ? ",\"connection\":" + n : "")
                + ",\"time\":" + json(Instant.now().toString())
                + ",\"method\":" + json(request.method())
                + ",\"path\":" + json(request.path())
                + ",\"body\":" + json(request.body())
                + (request.incomplete() != null ? ",\"incomplete\":" + json(request.incomplete()) : "")
                + "}\n";
        writeLine(line);
    }

    /** Writes {@code {"n":<next line>} + rest} and flushes. */
    private void writeLine(String rest) throws IOException {
        synchronized (record) {
            record.write("{\"n\":" + ++lines + rest);
            record.flush();
        }
    }

    private Answer answer(Request request) {
        String path = request.path();
        int query = path.indexOf('?');
        String route = VERSION_PREFIX.matcher(query < 0 ? path : path.substring(0, query)).replaceFirst("");
        String method = request.method().toUpperCase(Locale.ROOT);
        if ((method.equals("GET") || method.equals("HEAD")) && route.equals("/_ping")) {
            return new Answer(200, "OK", "text/plain; charset=utf-8", "OK", method.equals("HEAD"));
        }
        if (method.equals("GET") && route.equals("/version")) {
            return Answer.json(200, "OK", "{\"Version\":\"hostguard-stand-in\",\"ApiVersion\":\"1.43\",\"Os\":\"linux\"}");
        }
        if (method.equals("GET") && route.equals("/containers/json")) {
            String running = container(RUNNING_ID, "/hostguard-stand-in", "running", "Up 1 second", started);
            String others = created.stream().map(id -> "," + container(id, "/created-" + id.substring(0, 12),
                    "created", "Created", started)).collect(Collectors.joining());
            return Answer.json(200, "OK", "[" + running + others + "]");
        }
        if (method.equals("POST") && route.equals("/containers/create")) {
            byte[] id = new byte[32];
            random.nextBytes(id);
            String hex = HexFormat.of().formatHex(id);
            created.add(hex);
            return Answer.json(201, "Created", "{\"Id\":\"" + hex + "\",\"Warnings\":[]}");
        }
        return Answer.json(404, "Not Found", "{\"message\":\"page not found\"}");
    }

    private static String container(String id, String name, String state, String status, long created) {
        return "{\"Id\":\"" + id + "\",\"Names\":[\"" + name + "\"],\"Image\":\"alpine\",\"Command\":\"sh\","
                + "\"Created\":" + created + ",\"State\":\"" + state + "\",\"Status\":\"" + status + "\"}";
    }

    /** {@code s} as a JSON string (null as ""). */
    static String json(String s) {
        return JsonError.quote(s);
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    /** What arrived on one connection; {@code incomplete} says why it is not a whole request, or is null. */
    private record Request(String method, String path, String body, String incomplete) {

        /** @param in buffered: a kept-alive connection reads its next request from the same stream */
        static Request read(InputStream in) {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            try {
                int matched = 0;
                byte[] end = {'\r', '\n', '\r', '\n'};
                while (matched < end.length) {
                    int b = in.read();
                    if (b < 0) {
                        return partial(head, "connection closed after " + head.size() + " bytes, before the end of the headers");
                    }
                    head.write(b);
                    matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
                    if (head.size() > MAX_HEAD_BYTES) {
                        return partial(head, "headers longer than " + MAX_HEAD_BYTES + " bytes");
                    }
                }
                String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
                String[] requestLine = lines[0].split(" ", 3);
                if (requestLine.length < 2) {
                    return new Request(lines[0], "", "", "not an HTTP request line");
                }
                int length = contentLength(lines);
                if (length < 0 || length > MAX_BODY_BYTES) {
                    return new Request(requestLine[0], requestLine[1], "", "bad or too large Content-Length");
                }
                byte[] body = in.readNBytes(length);
                String text = new String(body, StandardCharsets.UTF_8);
                return new Request(requestLine[0], requestLine[1], text,
                        body.length < length ? "connection closed inside the body" : null);
            } catch (IOException e) {
                return partial(head, e.toString());
            }
        }

        private static Request partial(ByteArrayOutputStream head, String why) {
            String[] requestLine = head.toString(StandardCharsets.ISO_8859_1).split("\r\n", 2)[0].split(" ", 3);
            return new Request(requestLine[0], requestLine.length > 1 ? requestLine[1] : "", "", why);
        }

        private static int contentLength(String[] headerLines) {
            for (int i = 1; i < headerLines.length; i++) {
                int colon = headerLines[i].indexOf(':');
                if (colon > 0 && headerLines[i].substring(0, colon).trim().equalsIgnoreCase("Content-Length")) {
                    try {
                        return Integer.parseInt(headerLines[i].substring(colon + 1).trim());
                    } catch (NumberFormatException e) {
                        return -1;
                    }
                }
            }
            return 0;
        }
    }

    /** One HTTP answer; {@code headOnly} for HEAD (headers, no body). */
    private record Answer(int status, String reason, String contentType, String body, boolean headOnly) {

        static Answer json(int status, String reason, String body) {
            return new Answer(status, reason, "application/json", body, false);
        }

        /** @param keepAlive whether the connection stays open; else {@code Connection: close} */
        byte[] bytes(boolean keepAlive) {
            byte[] content = body.getBytes(StandardCharsets.UTF_8);
            String head = "HTTP/1.1 " + status + " " + reason + "\r\n"
                    + "Content-Type: " + contentType + "\r\n"
                    + "Content-Length: " + content.length + "\r\n"
                    + "Api-Version: 1.43\r\n"
                    + "Server: hostguard-docker-stand-in\r\n"
                    + (keepAlive ? "" : "Connection: close\r\n") + "\r\n";
            byte[] headBytes = head.getBytes(StandardCharsets.ISO_8859_1);
            if (headOnly) {
                return headBytes;
            }
            byte[] all = new byte[headBytes.length + content.length];
            System.arraycopy(headBytes, 0, all, 0, headBytes.length);
            System.arraycopy(content, 0, all, headBytes.length, content.length);
            return all;
        }
    }
}
