package dev.hostguard.testapps.boot3;

import dev.hostguard.testapps.ops.HostOperations;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;

/**
 * A Spring Boot 3 service (embedded Tomcat 10.1, Spring Security 6) whose routes {@code /<mechanism>/<op>} run the
 * same {@link HostOperations} behind a different way of authenticating each ({@link SecurityConfig}). Environment:
 * {@code SERVICE_KEY}, {@code OPS_USER}, {@code OPS_PASSWORD}, {@code JWT_SECRET} (HS256, at least 32 bytes),
 * optional {@code DOCKER_HOST}, {@code CANARY}, {@code PORT} (default 0) and {@code BIND} (default 127.0.0.1).
 * Ready when it prints {@code spring-boot3-app listening on http://127.0.0.1:<port>}, the readiness line every test
 * app prints.
 */
@SpringBootApplication
public class SpringBoot3App {

    public static void main(String[] args) throws Exception {
        HostOperations.prepare();
        SpringApplication.run(SpringBoot3App.class, args);
    }

    @EventListener
    void ready(ApplicationReadyEvent event) {
        System.out.println("spring-boot3-app listening on http://127.0.0.1:"
                + event.getApplicationContext().getEnvironment().getProperty("local.server.port"));
        System.out.flush();
    }
}
