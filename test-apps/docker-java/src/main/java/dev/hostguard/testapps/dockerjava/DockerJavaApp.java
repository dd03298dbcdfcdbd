package dev.hostguard.testapps.dockerjava;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.netty.NettyDockerCmdExecFactory;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A service that talks to Docker with docker-java 3.5, as services do: one {@link DockerClient} per transport
 * ({@code httpclient5}: {@code ApacheDockerHttpClient}; {@code zerodep}: {@code ZerodepDockerHttpClient}, each with
 * a pool of one connection, so a later request reuses the connection an earlier one, or the start-up, opened;
 * {@code netty}: {@code NettyDockerCmdExecFactory}, Netty's native epoll domain sockets, a connection for each
 * command), made at start-up and kept. On the JDK's {@code com.sun.net.httpserver}.
 *
 * <ul>
 *   <li>{@code /admin/docker?client=&op=}: an {@code X-API-Key} header equal to env {@code API_KEY}</li>
 *   <li>{@code /user/docker?client=&op=}: a {@link BasicAuthenticator} login, env {@code OPS_USER}/{@code OPS_PASSWORD}</li>
 *   <li>{@code /open/docker?client=&op=}: no authentication</li>
 * </ul>
 * {@code client}: {@code httpclient5}, {@code zerodep} or {@code netty}; {@code op}: {@code ping} ({@code GET /_ping}), {@code list}
 * ({@code GET /containers/json}) or {@code create} (a privileged alpine container with the host's {@code /} bound at
 * {@code /host}: {@code POST /containers/create}); {@code fresh=1}: through a client made for this request and
 * closed after it (a fresh connect) instead of the kept one. Answers 200 {@code ping=OK}, {@code containers=<n>} or
 * {@code created=<id>}; a failure propagates out of the handler (nothing is sent; a guard can answer). Env
 * {@code DOCKER_HOST} (default {@code unix:///var/run/docker.sock}); {@code BOOT_PING=1}: each client pings once at
 * start-up, outside any request, before the readiness line {@code docker-java-app listening on
 * http://127.0.0.1:<port>}, so its pool holds a connection the start-up opened.
 */
public final class DockerJavaApp {
    private DockerJavaApp() {
    }

    public static void main(String[] args) throws Exception {
        String apiKey = required("API_KEY");
        String opsUser = required("OPS_USER");
        String opsPassword = required("OPS_PASSWORD");
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
        String dockerHost = System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock");

        Map<String, DockerClient> clients = new LinkedHashMap<>();  // the boot pings in this order
        clients.put("httpclient5", client(dockerHost, "httpclient5"));
        clients.put("zerodep", client(dockerHost, "zerodep"));
        clients.put("netty", client(dockerHost, "netty"));
        if ("1".equals(System.getenv("BOOT_PING"))) {
            for (Map.Entry<String, DockerClient> client : clients.entrySet()) {
                client.getValue().pingCmd().exec();
                System.out.println("docker-java-app boot ping done: " + client.getKey());
            }
        }

        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "docker-java-app-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        HttpHandler docker = exchange -> handle(exchange, clients, dockerHost);
        HttpContext admin = server.createContext("/admin/docker", docker);
        admin.getFilters().add(new ApiKeyFilter(apiKey));
        HttpContext user = server.createContext("/user/docker", docker);
        user.setAuthenticator(new BasicAuthenticator("docker-java-app ops") {
            @Override
            public boolean checkCredentials(String username, String password) {
                return equal(opsUser, username) && equal(opsPassword, password);
            }
        });
        server.createContext("/open/docker", docker);
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0), "docker-java-app-stop"));
        System.out.println("docker-java-app listening on http://127.0.0.1:" + server.getAddress().getPort());
        System.out.flush();
    }

    private static String required(String name) {
        String value = System.getenv(name);
        if (value == null || value.isEmpty()) {
            System.err.println("docker-java-app: env " + name + " is required");
            System.exit(2);
        }
        return value;
    }

    /** A client of one transport, its pool one connection (netty: none), kept for the life of the service. */
    @SuppressWarnings("deprecation")  // docker-java's Netty transport is a command factory, not a DockerHttpClient
    static DockerClient client(String dockerHost, String transport) {
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(dockerHost).build();
        if (transport.equals("netty")) {
            return DockerClientImpl.getInstance(config).withDockerCmdExecFactory(new NettyDockerCmdExecFactory());
        }
        URI host = config.getDockerHost();
        DockerHttpClient http = switch (transport) {
            case "httpclient5" -> new ApacheDockerHttpClient.Builder().dockerHost(host)
                    .sslConfig(config.getSSLConfig()).maxConnections(1)
                    .connectionTimeout(Duration.ofSeconds(5)).responseTimeout(Duration.ofSeconds(10)).build();
            case "zerodep" -> new ZerodepDockerHttpClient.Builder().dockerHost(host)
                    .sslConfig(config.getSSLConfig()).maxConnections(1)
                    .connectionTimeout(Duration.ofSeconds(5)).responseTimeout(Duration.ofSeconds(10)).build();
            default -> throw new IllegalArgumentException(transport);
        };
        return DockerClientImpl.getInstance(config, http);
    }

    private static void handle(HttpExchange exchange, Map<String, DockerClient> clients, String dockerHost)
            throws IOException {
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        String transport = query.getOrDefault("client", "httpclient5");
        boolean fresh = "1".equals(query.get("fresh"));
        DockerClient client = !clients.containsKey(transport) ? null
                : fresh ? client(dockerHost, transport) : clients.get(transport);
        String op = query.getOrDefault("op", "ping");
        if (client == null) {
            send(exchange, 400, "unknown client " + transport);
            return;
        }
        String answer;
        try (AutoCloseable closeIfFresh = fresh ? client : null) {
            answer = switch (op) {
                case "ping" -> {
                    client.pingCmd().exec();
                    yield "ping=OK";
                }
                case "list" -> "containers=" + client.listContainersCmd().withShowAll(true).exec().size();
                case "create" -> {
                    CreateContainerResponse created = client.createContainerCmd("alpine")
                            .withCmd("sh", "-c", "cat /host/etc/shadow")
                            .withHostConfig(HostConfig.newHostConfig().withPrivileged(true)
                                    .withBinds(Bind.parse("/:/host")))
                            .exec();
                    yield "created=" + created.getId();
                }
                default -> null;
            };
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            // docker-java wraps the transport's IOException; the handler fails with it, as HttpHandler invites
            throw new IOException("docker-java " + op + " failed: " + e, e);
        }
        if (answer == null) {
            send(exchange, 400, "unknown op " + op);
            return;
        }
        send(exchange, 200, answer);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.put(pair.substring(0, eq), java.net.URLDecoder.decode(pair.substring(eq + 1),
                            StandardCharsets.UTF_8));
                }
            }
        }
        return params;
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static boolean equal(String expected, String presented) {
        return presented != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                presented.getBytes(StandardCharsets.UTF_8));
    }

    /** Lets a request through only with the right {@code X-API-Key}. */
    static final class ApiKeyFilter extends Filter {
        private final String apiKey;

        ApiKeyFilter(String apiKey) {
            this.apiKey = apiKey;
        }

        @Override
        public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
            if (!equal(apiKey, exchange.getRequestHeaders().getFirst("X-API-Key"))) {
                send(exchange, 401, "missing or wrong X-API-Key");
                return;
            }
            chain.doFilter(exchange);
        }

        @Override
        public String description() {
            return "X-API-Key check";
        }
    }
}
