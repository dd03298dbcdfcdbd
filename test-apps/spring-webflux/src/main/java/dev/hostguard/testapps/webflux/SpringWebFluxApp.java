package dev.hostguard.testapps.webflux;

import dev.hostguard.testapps.ops.HostOperations;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * A Spring Boot 3 WebFlux service (Reactor Netty, Spring Security WebFlux) whose routes run the same
 * {@link HostOperations} behind a different way of authenticating each ({@link SecurityConfig}), as annotated
 * controllers ({@link OperationsController}) and functional routes ({@link FunctionalRoutes}). Environment:
 * {@code SERVICE_KEY}, {@code OPS_USER}, {@code OPS_PASSWORD}, optional {@code DOCKER_HOST}, {@code CANARY},
 * {@code PORT} (default 0), {@code BIND} (default 127.0.0.1) and {@code LOOP_TICK_MS}: when set, every Reactor Netty
 * event loop of the server runs {@code true} at that period, outside any request, and prints
 * {@code spring-webflux-app loop tick on <thread>: exit=<code>} (or {@code failed: <exception>}): work an event loop
 * does between requests, which must never be judged as a request that loop served before. Ready when it prints
 * {@code spring-webflux-app listening on http://127.0.0.1:<port>}, the readiness line every test app prints.
 */
@SpringBootApplication
public class SpringWebFluxApp {
    static final String NAME = "spring-webflux-app";

    public static void main(String[] args) throws Exception {
        HostOperations.prepare();
        SpringApplication.run(SpringWebFluxApp.class, args);
    }

    @EventListener
    void ready(ApplicationReadyEvent event) {
        String tick = System.getenv("LOOP_TICK_MS");
        if (tick != null && !tick.isBlank()) {
            // the loops the server runs on: Boot hands the resource factory's loop resources to Reactor Netty, which
            // takes their server group, native (epoll) where available
            EventLoopGroup loops = event.getApplicationContext().getBean(ReactorResourceFactory.class)
                    .getLoopResources().onServer(true);
            long period = Long.parseLong(tick.strip());
            int count = 0;
            for (EventExecutor loop : loops) {
                loop.scheduleAtFixedRate(SpringWebFluxApp::tick, period, period, TimeUnit.MILLISECONDS);
                count++;
            }
            System.out.println(NAME + " loop ticks every " + period + " ms on " + count + " event loops");
        }
        System.out.println(NAME + " listening on http://127.0.0.1:"
                + event.getApplicationContext().getEnvironment().getProperty("local.server.port"));
        System.out.flush();
    }

    private static void tick() {
        String outcome;
        try {
            outcome = HostOperations.run("exec", Map.of("cmd", "true")).lines().findFirst().orElse("");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = "failed: " + e;
        } catch (Exception e) {
            outcome = "failed: " + e;
        }
        System.out.println(NAME + " loop tick on " + Thread.currentThread().getName() + ": " + outcome);
        System.out.flush();
    }
}
