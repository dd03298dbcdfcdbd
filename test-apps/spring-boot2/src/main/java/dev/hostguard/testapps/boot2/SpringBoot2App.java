package dev.hostguard.testapps.boot2;

import dev.hostguard.testapps.ops.HostOperations;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;

/**
 * A Spring Boot 2.7 service (javax servlet API, embedded Tomcat 9, Spring Security 5.7): the generation many
 * services still run. Its routes {@code /<mechanism>/<op>} run {@link HostOperations} behind a service key, HTTP
 * Basic or nothing ({@link SecurityConfig}). Environment: {@code SERVICE_KEY}, {@code OPS_USER},
 * {@code OPS_PASSWORD}, optional {@code DOCKER_HOST}, {@code CANARY}, {@code PORT} (default 0) and {@code BIND}
 * (default 127.0.0.1). Ready when it prints {@code spring-boot2-app listening on http://127.0.0.1:<port>}.
 */
@SpringBootApplication
public class SpringBoot2App {

    public static void main(String[] args) throws Exception {
        HostOperations.prepare();
        SpringApplication.run(SpringBoot2App.class, args);
    }

    @EventListener
    void ready(ApplicationReadyEvent event) {
        System.out.println("spring-boot2-app listening on http://127.0.0.1:"
                + event.getApplicationContext().getEnvironment().getProperty("local.server.port"));
        System.out.flush();
    }
}
