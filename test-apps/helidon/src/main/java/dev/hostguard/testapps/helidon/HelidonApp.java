package dev.hostguard.testapps.helidon;

import dev.hostguard.testapps.ops.HostOperations;
import io.helidon.security.Security;
import io.helidon.security.providers.httpauth.HttpBasicAuthProvider;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.security.SecurityFeature;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Helidon SE 4 service (its web server handles each connection, and so each request, on a virtual thread) whose
 * routes {@code /<mechanism>/<op>} run the same {@link HostOperations} behind a different way of authenticating each,
 * with Helidon Security ({@link SecurityFeature} and a per-route security handler naming its provider):
 * <ul>
 *   <li>{@code /key/<op>}: {@link ServiceKeyProvider}, the app's own {@code AuthenticationProvider} on header
 *       {@value ServiceKeyProvider#HEADER} (env {@code SERVICE_KEY}), whose subject's principal is a
 *       {@link ServiceKeyPrincipal}</li>
 *   <li>{@code /basic/<op>}: Helidon's {@link HttpBasicAuthProvider} against a store of one user
 *       ({@code OPS_USER}/{@code OPS_PASSWORD})</li>
 *   <li>{@code /anon/<op>}: no security handler</li>
 * </ul>
 * The operation runs on the request's own (virtual) thread, except for the hand-overs under {@code /key}:
 * {@code /key/executor/<op>} submits it to a fixed pool of platform threads made at start-up ({@code work-<n>}, a JDK
 * {@code ThreadPoolExecutor}), {@code /key/virtual/<op>} to a virtual-thread-per-task executor made at start-up
 * (threads named {@code virtual-work-<n>}); both wait ({@code Future.get}) and let a failure propagate, which Helidon
 * answers with a 500.
 *
 * <p>Environment: {@code SERVICE_KEY}, {@code OPS_USER}, {@code OPS_PASSWORD}, optional {@code DOCKER_HOST},
 * {@code CANARY}, {@code PORT} (default 0), {@code BIND} (default 127.0.0.1). Ready when it prints
 * {@code helidon-app listening on http://127.0.0.1:<port>}.
 */
public final class HelidonApp {
    private static final String SERVICE_KEY_PROVIDER = "service-key";
    private static final String BASIC_PROVIDER = "http-basic-auth";

    private HelidonApp() {
    }

    public static void main(String[] args) throws Exception {
        HostOperations.prepare();
        Security security = Security.builder()
                .addProvider(new ServiceKeyProvider(required("SERVICE_KEY")), SERVICE_KEY_PROVIDER)
                .addProvider(HttpBasicAuthProvider.builder()
                        .realm("hostguard")
                        .userStore(new OneUserStore(required("OPS_USER"), required("OPS_PASSWORD")))
                        .build(), BASIC_PROVIDER)
                .build();
        ExecutorService pool = Executors.newFixedThreadPool(2, named("work-", false));
        ExecutorService virtual = Executors.newThreadPerTaskExecutor(named("virtual-work-", true));

        WebServer server = WebServer.builder()
                .host(env("BIND", "127.0.0.1"))
                .port(Integer.parseInt(env("PORT", "0")))
                .addFeature(SecurityFeature.builder().security(security).build())
                .routing(routing -> routing
                        .get("/key/executor/{op}", keyed(), handOver(pool))
                        .get("/key/virtual/{op}", keyed(), handOver(virtual))
                        .get("/key/{op}", keyed(), HelidonApp::operation)
                        .get("/basic/{op}", SecurityFeature.authenticate().authenticator(BASIC_PROVIDER),
                                HelidonApp::operation)
                        .get("/anon/{op}", HelidonApp::operation))
                .build()
                .start();
        System.out.println("helidon-app listening on http://127.0.0.1:" + server.port());
        System.out.flush();
    }

    /** Authentication required, by the service-key provider. */
    private static Handler keyed() {
        return SecurityFeature.authenticate().authenticator(SERVICE_KEY_PROVIDER);
    }

    /** Runs the route's operation on the request's thread and answers its text. */
    private static void operation(ServerRequest request, ServerResponse response) throws Exception {
        response.send(HostOperations.run(request.path().pathParameters().get("op"), params(request)));
    }

    /** Runs the route's operation on {@code executor} and waits for it; a failure propagates. */
    private static Handler handOver(ExecutorService executor) {
        return (request, response) -> {
            String op = request.path().pathParameters().get("op");
            Map<String, String> params = params(request);
            response.send(executor.submit(() -> HostOperations.run(op, params)).get());
        };
    }

    /** The first value of each query parameter. */
    private static Map<String, String> params(ServerRequest request) {
        Map<String, String> params = new HashMap<>();
        for (String name : request.query().names()) {
            params.put(name, request.query().get(name));
        }
        return params;
    }

    private static ThreadFactory named(String prefix, boolean virtual) {
        AtomicInteger next = new AtomicInteger();
        return task -> (virtual ? Thread.ofVirtual() : Thread.ofPlatform().daemon())
                .name(prefix + next.incrementAndGet())
                .unstarted(task);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static String required(String name) {
        String value = System.getenv(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException("env " + name + " is required");
        }
        return value;
    }
}
