package dev.hostguard.testapps.quarkus;

import dev.hostguard.testapps.ops.HostOperations;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * A Quarkus 3 service (Quarkus REST on Vert.x 4.5) whose routes {@code /<mechanism>/<op>} run the same
 * {@link HostOperations} behind a different way of authenticating each ({@code application.properties}:
 * {@code /key/*} {@link ServiceKeyMechanism}, {@code /basic/*} HTTP Basic against the embedded user store,
 * {@code /anon/*} open), on the threads {@link OperationsResource} lists. Environment: {@code SERVICE_KEY},
 * {@code OPS_USER} (must be {@code ops}, the one user of the embedded store), {@code OPS_PASSWORD}, optional
 * {@code DOCKER_HOST}, {@code CANARY}, {@code PORT} (default 0), {@code BIND} (default 127.0.0.1) and
 * {@code TICK_MS} (the period of the ticks that run {@code true} outside any request, on the event loop and on a
 * worker; none without it). Ready when it prints {@code quarkus-app listening on http://127.0.0.1:<port>}, the
 * readiness line every test app prints. One event loop ({@code quarkus.vertx.event-loops-pool-size=1}): every
 * request and the event-loop tick share its thread.
 */
@QuarkusMain
public class QuarkusApp implements QuarkusApplication {
    /** The one user of the embedded store ({@code quarkus.security.users.embedded.users.ops}). */
    static final String OPS_USER = "ops";

    @Inject
    Vertx vertx;

    public static void main(String... args) throws IOException {
        String user = System.getenv("OPS_USER");
        if (user != null && !user.equals(OPS_USER)) {
            throw new IllegalStateException("OPS_USER must be '" + OPS_USER + "', the user application.properties defines");
        }
        HostOperations.prepare();
        Quarkus.run(QuarkusApp.class, args);
    }

    /** Runs once the HTTP server listens. */
    @Override
    public int run(String... args) {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.port", Integer.class);
        String tick = System.getenv("TICK_MS");
        if (tick != null && !tick.isBlank()) {
            vertx.setPeriodic(Long.parseLong(tick), id -> {
                System.out.println(runTrue("event-loop"));
                Infrastructure.getDefaultWorkerPool().execute(() -> System.out.println(runTrue("worker")));
            });
        }
        System.out.println("quarkus-app listening on http://127.0.0.1:" + port);
        System.out.flush();
        Quarkus.waitForExit();
        return 0;
    }

    /** {@code quarkus-app tick <where> exit=<code> on <thread>}, or {@code ... failed on <thread>: <exception>}. */
    private static String runTrue(String where) {
        String thread = Thread.currentThread().getName();
        try {
            Process process = new ProcessBuilder("true").start();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return "quarkus-app tick " + where + " failed on " + thread + ": still running after 10 s";
            }
            return "quarkus-app tick " + where + " exit=" + process.exitValue() + " on " + thread;
        } catch (IOException | RuntimeException e) {
            return "quarkus-app tick " + where + " failed on " + thread + ": " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "quarkus-app tick " + where + " failed on " + thread + ": interrupted";
        }
    }
}
