package dev.hostguard.testapps.micronaut;

import dev.hostguard.testapps.ops.HostOperations;
import io.micronaut.runtime.Micronaut;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.inject.Singleton;

/**
 * A Micronaut 4 service (its Netty HTTP server, micronaut-security) whose routes {@code /<mechanism>/<op>} run the
 * same {@link HostOperations} behind a different way of authenticating each ({@link OperationsController}):
 * {@code /key} (the app's own {@link ServiceKeyFetcher} on {@code X-Service-Key}), {@code /basic} (HTTP Basic against
 * {@link OpsUserProvider}), {@code /anon} (open). Environment: {@code SERVICE_KEY}, {@code OPS_USER},
 * {@code OPS_PASSWORD}, optional {@code DOCKER_HOST}, {@code CANARY}, {@code PORT} (default 0), {@code BIND} (default
 * 127.0.0.1) and {@code EVENT_LOOP_THREADS} (the server's event loops; default 0: Netty's own default, twice the
 * cores). Ready when it prints {@code micronaut listening on http://127.0.0.1:<port>}, the readiness line every test
 * app prints.
 */
public class MicronautApp {

    public static void main(String[] args) throws Exception {
        HostOperations.prepare();
        Micronaut.build(args).mainClass(MicronautApp.class).banner(false).start();
    }

    /** Prints the readiness line once the server listens. */
    @Singleton
    static class Readiness {
        @EventListener
        void ready(ServerStartupEvent event) {
            System.out.println("micronaut listening on http://127.0.0.1:" + event.getSource().getPort());
            System.out.flush();
        }
    }
}
