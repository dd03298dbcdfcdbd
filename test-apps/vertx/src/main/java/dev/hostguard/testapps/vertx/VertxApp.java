package dev.hostguard.testapps.vertx;

import dev.hostguard.testapps.ops.HostOperations;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;

/**
 * A Vert.x 5 service whose vertx-web routes {@code /<mechanism>/<op>} run the same {@link HostOperations} behind a
 * different way of authenticating each, and hand them over to the framework's other threads ({@link HttpVerticle}).
 * Environment: {@code SERVICE_KEY}, {@code OPS_USER}, {@code OPS_PASSWORD}, optional {@code DOCKER_HOST},
 * {@code CANARY}, {@code PORT} (default 0), {@code BIND} (default 127.0.0.1) and {@code TICK_MS} (the period of
 * the ticks that run {@code true} outside any request, on the event loop and on a worker; none without it). Ready
 * when it prints {@code vertx-app listening on http://127.0.0.1:<port>}, the readiness line every test app prints.
 *
 * <p>Deployed: {@link HttpVerticle} (an event-loop verticle: the Router and the HTTP server), a worker verticle and,
 * on JDK 21+, a virtual-thread verticle ({@link HostOperationsVerticle}, each on its own event-bus address).
 */
public final class VertxApp {
    static final String WORKER_ADDRESS = "host-operations.worker";
    static final String VIRTUAL_THREAD_ADDRESS = "host-operations.virtual-thread";

    private VertxApp() {
    }

    public static void main(String[] args) throws Exception {
        HostOperations.prepare();
        Vertx vertx = Vertx.vertx();
        vertx.deployVerticle(new HostOperationsVerticle(WORKER_ADDRESS),
                new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)).await();
        boolean virtualThreads = Runtime.version().feature() >= 21;
        if (virtualThreads) {
            vertx.deployVerticle(new HostOperationsVerticle(VIRTUAL_THREAD_ADDRESS),
                    new DeploymentOptions().setThreadingModel(ThreadingModel.VIRTUAL_THREAD)).await();
        }
        HttpVerticle http = new HttpVerticle(env("SERVICE_KEY", null), env("OPS_USER", null),
                env("OPS_PASSWORD", null), env("BIND", "127.0.0.1"), Integer.parseInt(env("PORT", "0")),
                Long.parseLong(env("TICK_MS", "0")), virtualThreads);
        vertx.deployVerticle(http).await();
        System.out.println("vertx-app listening on http://127.0.0.1:" + http.port());
        System.out.flush();
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            if (fallback == null) {
                throw new IllegalStateException("environment variable " + name + " is required");
            }
            return fallback;
        }
        return value;
    }
}
