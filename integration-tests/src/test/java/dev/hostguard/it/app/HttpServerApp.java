package dev.hostguard.it.app;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.hostguard.demo.Actions;
import dev.hostguard.demo.JsonError;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A second guarded service, on the JDK's own {@code com.sun.net.httpserver} instead of a servlet container.
 * Run with class path = this module's test classes + hostguard-demo.jar; it calls the demo's
 * {@link Actions#run(String, Map)}, so both servers start processes the same ways.
 *
 * <ul>
 *   <li>{@code /admin/exec?cmd=&api=}, {@code /admin/file?api=&path=[&data=]}: an {@code X-API-Key} header equal
 *       to env {@code API_KEY}, checked by a {@link Filter} (401 otherwise)</li>
 *   <li>{@code /user/exec?cmd=&api=}, {@code /user/file?api=&path=[&data=]}: a {@link BasicAuthenticator} login,
 *       env {@code OPS_USER}/{@code OPS_PASSWORD}</li>
 *   <li>{@code /open/exec?cmd=&api=}, {@code /open/file?api=&path=[&data=]}: no authentication</li>
 * </ul>
 * The {@code exec} routes run any action of the table ({@code api} defaults to a process start), the {@code file}
 * routes only {@link Actions#fileActions()} ({@code api} defaults to {@link Actions#DEFAULT_FILE_ACTION}); an
 * {@code api} a route does not offer is answered 400.
 * An action that throws propagates out of the handler, as {@link HttpHandler#handle}'s {@code IOException}
 * invites, so nothing is sent and a guard can still answer; with {@code answer=self} the handler answers the
 * failure itself, 500 {@code {"error":...}}, which commits the response (the JDK server buffers nothing). Env {@code BOOT_EXEC} (optional): a command run once at start-up, outside
 * any request, before the readiness line {@code httpserver-app listening on http://127.0.0.1:<port>}; env
 * {@code BOOT_READ} (optional): a file read the same way ({@link Actions#DEFAULT_FILE_ACTION}), at the same time.
 * Env {@code BOOT_NATIVE} (optional): a library loaded the same way ({@code System.load}, action {@code jni-load}).
 * Env {@code BOOT_CONNECT} (optional, {@code host:port}): one {@code tcp-socket} request there, at the same time.
 * For the denial-storm test: {@code /admin/storm?n=&path=&path=...} (API key) opens the paths in turn, {@code n}
 * times in all, and answers how each open ended; {@code /heap} answers the heap used after a full collection.
 * With Micrometer on the class path, {@code /micrometer} answers the HostGuard meters on its global registry
 * ({@link MicrometerRoute}).
 */
public final class HttpServerApp {

    private HttpServerApp() {
    }

    public static void main(String[] args) throws Exception {
        AppEnvironment env = AppEnvironment.read("httpserver-app");
        String apiKey = env.apiKey();
        String opsUser = env.opsUser();
        String opsPassword = env.opsPassword();
        int port = env.port();

        String boot = System.getenv("BOOT_EXEC");
        if (boot != null && !boot.isBlank()) {
            String result = Actions.run("process-builder", Map.of("cmd", boot));
            System.out.println("httpserver-app boot command done: " + result.lines().findFirst().orElse(""));
        }
        String bootNative = System.getenv("BOOT_NATIVE");
        if (bootNative != null && !bootNative.isBlank()) {
            String result = Actions.run("jni-load", Map.of("path", bootNative));
            System.out.println("httpserver-app boot native load done: " + result);
        }
        String bootRead = System.getenv("BOOT_READ");
        if (bootRead != null && !bootRead.isBlank()) {
            String result = Actions.run(Actions.DEFAULT_FILE_ACTION, Map.of("path", bootRead));
            System.out.println("httpserver-app boot read done: " + result.length() + " characters");
        }

        String bootConnect = System.getenv("BOOT_CONNECT");
        if (bootConnect != null && !bootConnect.isBlank()) {
            int colon = bootConnect.lastIndexOf(':');
            String result = Actions.run("tcp-socket", Map.of("host", bootConnect.substring(0, colon),
                    "port", bootConnect.substring(colon + 1)));
            System.out.println("httpserver-app boot connect done: " + result.lines().findFirst().orElse(""));
        }

        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        AtomicInteger threads = new AtomicInteger();
        // a small pool: requests of every credential class take turns on the same threads
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "httpserver-app-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);

        BasicAuthenticator login = new BasicAuthenticator("httpserver-app ops") {
            @Override
            public boolean checkCredentials(String username, String password) {
                return equal(opsUser, username) && equal(opsPassword, password);
            }
        };
        for (String family : new String[] {"exec", "file"}) {
            HttpContext admin = server.createContext("/admin/" + family, ActionHandler.forFamily(family));
            admin.getFilters().add(new ApiKeyFilter(apiKey));

            HttpContext user = server.createContext("/user/" + family, ActionHandler.forFamily(family));
            user.setAuthenticator(login);

            server.createContext("/open/" + family, ActionHandler.forFamily(family));
        }
        server.createContext("/admin/storm", new StormHandler()).getFilters().add(new ApiKeyFilter(apiKey));
        server.createContext("/heap", exchange -> send(exchange, 200, "application/json",
                "{\"heap_used_after_gc\":" + heapUsedAfterGc() + "}"));
        if (HttpServerApp.class.getClassLoader().getResource("io/micrometer/core/instrument/Metrics.class") != null) {
            // Micrometer loads at the first call, not here (MicrometerRoute)
            server.createContext("/micrometer", exchange -> send(exchange, 200, "text/plain; charset=utf-8",
                    MicrometerRoute.hostguardMeters()));
        }

        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0), "httpserver-app-stop"));
        System.out.println("httpserver-app listening on http://127.0.0.1:" + server.getAddress().getPort());
        System.out.flush();
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
                send(exchange, 401, "application/json", "{\"error\":\"missing or wrong X-API-Key\"}");
                return;
            }
            chain.doFilter(exchange);
        }

        @Override
        public String description() {
            return "X-API-Key check";
        }
    }

    /** Runs {@code Actions.run(api, params)}; 200 text/plain with its result; failures as described above. */
    static final class ActionHandler implements HttpHandler {
        private final Set<String> choices;
        private final String defaultAction;

        private ActionHandler(Set<String> choices, String defaultAction) {
            this.choices = choices;
            this.defaultAction = defaultAction;
        }

        /** {@code exec}: any action, a process start by default; {@code file}: the file actions only. */
        static ActionHandler forFamily(String family) {
            return family.equals("file") ? new ActionHandler(Actions.fileActions(), Actions.DEFAULT_FILE_ACTION)
                    : new ActionHandler(Actions.names(), Actions.DEFAULT_PROCESS_ACTION);
        }

        @Override
        public void handle(HttpExchange exchange) throws IOException {
            Map<String, String> params = query(exchange.getRequestURI().getRawQuery());
            String api = params.getOrDefault("api", defaultAction);
            if (!choices.contains(api)) {
                send(exchange, 400, "application/json", JsonError.body("unknown api '" + api + "' here"));
                return;
            }
            String result;
            try {
                result = Actions.run(api, params);
            } catch (Exception e) {
                if ("self".equals(params.get("answer"))) {
                    send(exchange, 500, "application/json", JsonError.body(String.valueOf(e)));
                    return;
                }
                throw e instanceof IOException io ? io : new IOException(e);
            }
            send(exchange, 200, "text/plain; charset=utf-8", result);
        }
    }

    /**
     * Opens {@code path} values in turn, {@code n} times in all, catching each failure, and answers
     * {@code {"refused":..,"suppressed":..,"opened":..,"bytes_read":..,"failed":..}}: refused are HostGuard's
     * refusals ({@code suppressed} those among them whose event the rate limit held back), opened the opens that
     * succeeded, failed any other failure. One request stands for many blocked operations, so a storm needs few.
     */
    static final class StormHandler implements HttpHandler {
        private static final String REFUSAL = "dev.hostguard.agent.bootstrap.HostGuardBlockedException";

        @Override
        public void handle(HttpExchange exchange) throws IOException {
            String rawQuery = exchange.getRequestURI().getRawQuery();
            int n = Integer.parseInt(query(rawQuery).getOrDefault("n", "1"));
            String[] paths = java.util.Arrays.stream(rawQuery.split("&")).filter(p -> p.startsWith("path="))
                    .map(p -> URLDecoder.decode(p.substring(5), StandardCharsets.UTF_8)).toArray(String[]::new);
            long refused = 0;
            long suppressed = 0;
            long opened = 0;
            long bytesRead = 0;
            long failed = 0;
            for (int i = 0; i < n; i++) {
                try (java.io.FileInputStream in = new java.io.FileInputStream(paths[i % paths.length])) {
                    opened++;
                    bytesRead += in.readAllBytes().length;
                } catch (IOException e) {
                    if (!e.getClass().getName().equals(REFUSAL)) {
                        failed++;
                    } else {
                        refused++;
                        if ("suppressed".equals(eventId(e))) {
                            suppressed++;
                        }
                    }
                }
            }
            send(exchange, 200, "application/json", "{\"refused\":" + refused + ",\"suppressed\":" + suppressed
                    + ",\"opened\":" + opened + ",\"bytes_read\":" + bytesRead + ",\"failed\":" + failed + "}");
        }

        /** The refusal's event id (the agent's class is not on this app's class path, so by reflection). */
        private static String eventId(Exception refusal) {
            try {
                return String.valueOf(refusal.getClass().getMethod("eventId").invoke(refusal));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("HostGuardBlockedException without eventId()", e);
            }
        }
    }

    /** The heap used after a full collection: what the JVM retains, garbage excluded. */
    private static long heapUsedAfterGc() {
        java.lang.management.MemoryMXBean memory = java.lang.management.ManagementFactory.getMemoryMXBean();
        memory.gc();
        memory.gc();  // a second one, for what the first only made collectable (finalizers, cleaners)
        return memory.getHeapMemoryUsage().getUsed();
    }

    static Map<String, String> query(String rawQuery) {
        Map<String, String> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.putIfAbsent(name, value);
        }
        return params;
    }

    static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
        System.out.println("httpserver-app handled " + exchange.getRequestMethod() + " "
                + exchange.getRequestURI().getPath() + " -> " + status);
    }
}
