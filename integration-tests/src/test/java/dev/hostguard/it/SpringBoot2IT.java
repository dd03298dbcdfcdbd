package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import dev.hostguard.it.TestAppSlot.Expected;
import dev.hostguard.it.TestAppSlot.Op;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generation many services still run: the Spring Boot 2.7 app ({@code test-apps/spring-boot2}: javax, Tomcat 9,
 * Spring Security 5.7), on every JDK, in audit and block mode (one service JVM and one Docker stand-in JVM each).
 * {@code /key} (the app's own {@code OncePerRequestFilter} on {@code X-Service-Key} and its own
 * {@code ServiceKeyAuthentication}): {@code exec}, {@code environ}, {@code socket} refused in block mode (403, marker
 * absent, the environment's bytes not read, the stand-in never saw the connection) and logged in audit mode,
 * {@code hostguard.auth=api-key}, an {@code auth_reason} naming the token's type; {@code benign} runs with no event.
 * {@code /basic} (HTTP Basic against the in-memory user): every operation runs, no event.
 */
class SpringBoot2IT {
    private static final String TEST = SpringBoot2IT.class.getSimpleName();
    private static final GuardedServer SERVER = GuardedServer.SPRING_BOOT2;
    private static final List<String> MODES = List.of("audit", "block");
    private static final Expected SERVICE_KEY =
            new Expected("api-key", RequestEventFields.ANY_KEY_FINGERPRINT, "ServiceKeyAuthentication");

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ServiceSlots SLOTS = new ServiceSlots();

    @TestFactory
    Stream<DynamicNode> springBoot2() {
        return Jdks.all().stream().map(jdk -> dynamicContainer("JDK " + jdk.version(),
                MODES.stream().map(mode -> forService(jdk, mode))));
    }

    private DynamicContainer forService(Jdks.Jdk jdk, String mode) {
        TestAppSlot app = new TestAppSlot(SLOTS, TEST, jdk, SERVER, mode, tmp.resolve(jdk.label() + "-" + mode),
                true, b -> b);
        String at = app.label();
        boolean blocking = mode.equals("block");
        UnaryOperator<HttpTestClient.Get> key = get -> app.service().withCredentials(get, Credentials.API_KEY);
        UnaryOperator<HttpTestClient.Get> login = get -> app.service().withCredentials(get, Credentials.USER_LOGIN);
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "start the Docker stand-in, then " + SERVER.displayName() + " with -javaagent mode="
                + mode + ", DOCKER_HOST on the stand-in, CANARY in its environment", () -> app.start(TEST)));
        for (Op op : Op.values()) {
            if (op == Op.BENIGN) {
                tests.add(dynamicTest(at + "key (X-Service-Key -> ServiceKeyAuthentication) | benign -> 200, it ran, "
                        + "no event", () -> app.untouched("/key", op, key)));
            } else {
                tests.add(dynamicTest(at + "key (X-Service-Key -> ServiceKeyAuthentication) | " + op.path() + " -> "
                        + (blocking ? "403, it did not happen, blocked event" : "it ran, logged event")
                        + " (auth api-key, auth_reason names ServiceKeyAuthentication)",
                        () -> app.guarded("/key", op, key, SERVICE_KEY)));
            }
        }
        for (Op op : Op.values()) {
            tests.add(dynamicTest(at + "basic (HTTP Basic -> UsernamePasswordAuthenticationToken) | " + op.path()
                    + " -> 200, it ran, no event", () -> app.untouched("/basic", op, login)));
        }
        tests.add(dynamicTest(at + "stop: no agent WARN/ERROR; no key, canary or password in the events or the log",
                app::stop));
        return dynamicContainer("mode=" + mode, tests);
    }
}
