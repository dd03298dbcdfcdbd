package dev.hostguard.testapps.ops;

import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URLDecoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The host operations the Spring test apps run for {@code /<mechanism>/<op>}: each leaves a trace the integration
 * tests check (a marker file, the bytes read, a line in the Docker stand-in's record), so that a test proves what ran
 * and, in block mode, what did not. Every failure, a HostGuard refusal included, is thrown to the caller unchanged:
 * the apps are naive about errors, as real controllers are.
 *
 * <ul>
 *   <li>{@code exec}: {@code cmd} split on whitespace (as the demo's {@code ProcessCommand} does, so the tests'
 *       {@code touch <marker>} is the same argv everywhere), started in {@code dir} (default: the working
 *       directory) with {@link ProcessBuilder}; waits up to 10 s; {@code exit=<code>\n<output>}</li>
 *   <li>{@code environ}: reads {@code /proc/self/environ}; answers only its size and whether the value of env
 *       {@code CANARY} is in it ({@code environ bytes=<n> canary=present|absent}), never the bytes: the secrets of
 *       the environment must not end up in test logs</li>
 *   <li>{@code socket}: connects to the Unix socket of env {@code DOCKER_HOST} ({@code unix:///path} or a path) and
 *       sends {@code GET /_ping}, the harmless first request of the docker CLI; {@code status=<code>\n<body>}</li>
 *   <li>{@code benign}: reads {@value #BENIGN_FILE} in the working directory, written by {@link #prepare()} at
 *       start-up; a read that matches no rule, so never a finding</li>
 *   <li>{@code tamper}: an injection-style attempt to switch HostGuard off ({@link Tampering}: {@code family},
 *       {@code class}, {@code field}), its outcome caught, then {@code exec} of {@code cmd};
 *       {@code attempt=<outcome>\nexit=<code>\n<output>}</li>
 * </ul>
 */
public final class HostOperations {
    /** The operations, as they appear in the routes. */
    public static final Set<String> NAMES = Set.of("exec", "environ", "socket", "benign", "tamper");

    static final String BENIGN_FILE = "benign.txt";
    private static final long EXEC_TIMEOUT_SECONDS = 10;

    private HostOperations() {
    }

    /** Writes the benign op's file; called once at start-up, outside any request. */
    public static void prepare() throws IOException {
        Files.writeString(Path.of(BENIGN_FILE), "an ordinary file, read by the benign operation\n");
    }

    /**
     * Runs the operation a WebSocket text message names, {@code op=<op>[&cmd=..&dir=..]} (no {@code op}: benign).
     *
     * @return {@code ok <result>}, or {@code error <message>} when it failed (a refusal included)
     */
    public static String answer(String message) {
        Map<String, String> params = new HashMap<>();
        for (String pair : message.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        try {
            return "ok " + run(params.getOrDefault("op", "benign"), params);
        } catch (Exception e) {
            return "error " + e.getMessage();
        }
    }

    /**
     * Runs the operation a consumed message names ({@code op}, its parameters the message's other entries).
     *
     * @return the output, or {@code refused <exception>} when it threw (a refusal included): a consumer catches what
     *     its work throws and goes on
     */
    public static String outcome(Map<String, String> message) {
        try {
            return run(message.get("op"), message);
        } catch (Throwable t) {
            return "refused " + t;
        }
    }

    /** Runs {@code op} with the request's query parameters. */
    public static String run(String op, Map<String, String> params) throws IOException, InterruptedException {
        return switch (op) {
            case "exec" -> exec(params.get("cmd"), params.get("dir"));
            case "environ" -> environ();
            case "socket" -> socket();
            case "benign" -> benign();
            case "tamper" -> "attempt=" + Tampering.attempt(params) + "\n" + exec(params.get("cmd"), params.get("dir"));
            default -> throw new IllegalArgumentException("unknown operation '" + op + "'; known: " + NAMES);
        };
    }

    private static String exec(String cmd, String dir) throws IOException, InterruptedException {
        if (cmd == null || cmd.isBlank()) {
            throw new IllegalArgumentException("exec needs cmd");
        }
        ProcessBuilder builder = new ProcessBuilder(cmd.trim().split("\\s+")).redirectErrorStream(true);
        if (dir != null && !dir.isBlank()) {
            builder.directory(new File(dir));
        }
        Process process = builder.start();
        if (!process.waitFor(EXEC_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("'" + cmd + "' still running after " + EXEC_TIMEOUT_SECONDS + " s; killed");
        }
        return "exit=" + process.exitValue() + "\n"
                + new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static String environ() throws IOException {
        byte[] environ = Files.readAllBytes(Path.of("/proc/self/environ"));
        String canary = System.getenv("CANARY");
        boolean found = canary != null && !canary.isEmpty()
                && new String(environ, StandardCharsets.UTF_8).contains("CANARY=" + canary);
        return "environ bytes=" + environ.length + " canary=" + (found ? "present" : "absent");
    }

    private static String socket() throws IOException {
        String dockerHost = System.getenv("DOCKER_HOST");
        if (dockerHost == null || dockerHost.isBlank()) {
            throw new IllegalStateException("socket needs DOCKER_HOST");
        }
        Path socket = Path.of(dockerHost.replaceFirst("^unix://", ""));
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer request = ByteBuffer.wrap("GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            while (request.hasRemaining()) {
                channel.write(request);
            }
            // the stand-in answers and closes: read to the end
            String response = new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
            String[] headAndBody = response.split("\r\n\r\n", 2);
            String[] statusLine = headAndBody[0].split(" ", 3);
            return "status=" + (statusLine.length > 1 ? statusLine[1] : "?") + "\n"
                    + (headAndBody.length > 1 ? headAndBody[1] : "");
        }
    }

    private static String benign() throws IOException {
        return "benign bytes=" + Files.readAllBytes(Path.of(BENIGN_FILE)).length;
    }
}
