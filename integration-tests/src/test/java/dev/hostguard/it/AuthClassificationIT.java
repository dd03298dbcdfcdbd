package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests that carry an API key in unusual company or places are still {@code api-key} requests: the demo in
 * block mode must refuse their process starts (403, marker absent) and log them with the key's fingerprint.
 */
class AuthClassificationIT {
    private static final String TEST = AuthClassificationIT.class.getSimpleName();
    private static final String SHAPE = "process-builder";

    @TempDir
    static Path tmp;

    private static final List<GuardedService> STARTED = new ArrayList<>();

    /** One edge case: how to send {@code cmd} to the service, and which route it goes to. */
    private record EdgeCase(String name, String route, BiFunction<GuardedService, String, HttpTestClient.Get> request) {
    }

    private static final List<EdgeCase> CASES = List.of(
            new EdgeCase("API key plus a bogus 'Authorization: Bearer junk' and cookies is api-key", "/admin/exec",
                    (s, cmd) -> s.exec(Credentials.API_KEY, SHAPE, cmd)
                            .header("Authorization", "Bearer junk")
                            .header("Cookie", "JSESSIONID=node0junk; session=junk")),
            new EdgeCase("API key in lower-case header 'x-api-key' is api-key", "/admin/exec",
                    (s, cmd) -> s.exec("/admin/exec", SHAPE, cmd).header("x-api-key", s.secrets().apiKey())),
            new EdgeCase("API key in query parameter api_key= on /public/exec is api-key", "/public/exec",
                    (s, cmd) -> s.exec(Credentials.NONE, SHAPE, cmd).query("api_key", s.secrets().apiKey())),
            new EdgeCase("BASIC login plus an X-API-Key header on /ops/exec is api-key (BASIC is no session login)",
                    "/ops/exec",
                    (s, cmd) -> s.exec(Credentials.USER_LOGIN, SHAPE, cmd).apiKey(s.secrets().apiKey())));

    @TestFactory
    Stream<DynamicNode> apiKeyRequestsInDisguise() {
        return Jdks.all().stream().map(this::forJdk);
    }

    @AfterAll
    static void stopLeftovers() {
        for (GuardedService s : STARTED) {
            try {
                s.close();
            } catch (RuntimeException | Error ignored) {
                // reported by the test that stopped it, or by the failure that left it running
            }
        }
    }

    private DynamicContainer forJdk(Jdks.Jdk jdk) {
        GuardedService[] service = new GuardedService[1];
        List<DynamicNode> tests = new ArrayList<>();
        String at = "[" + jdk.label() + " demo block] ";
        tests.add(dynamicTest(at + "start demo with -javaagent mode=block", () -> {
            service[0] = GuardedService.start(TEST, GuardedServer.DEMO, jdk, "block", tmp.resolve(jdk.label()));
            synchronized (STARTED) {
                STARTED.add(service[0]);
            }
        }));
        for (EdgeCase edge : CASES) {
            tests.add(dynamicTest(at + edge.name(), () -> edgeCase(running(service[0]), edge)));
        }
        tests.add(dynamicTest(at + "stop: no agent WARN/ERROR; the API key is in neither the events nor the log", () -> {
            GuardedService s = running(service[0]);
            s.close();
            GuardAssertions.assertKeyNotLeaked(s);
        }));
        return dynamicContainer("JDK " + jdk.version(), tests);
    }

    private static GuardedService running(GuardedService service) {
        if (service == null || !service.process().isAlive()) {
            Assumptions.abort("the demo is not running");
        }
        return service;
    }

    private static void edgeCase(GuardedService service, EdgeCase edge) {
        Path marker = service.marker(edge.route().replace('/', '-') + "-" + Integer.toHexString(edge.name().hashCode()));
        int before = service.events().count();

        HttpTestClient.Response response = edge.request().apply(service, "touch " + marker).send();

        GuardAssertions.assertBlocked(service, response, marker, before, new ProcessStartEvent(true, "block", "api-key",
                edge.route(), List.of("touch", marker.toString()), service.markers(),
                service.secrets().apiKeyFingerprint()));
        GuardAssertions.assertKeyNotLeaked(service);
        service.process().assertNoUnexpectedAgentProblems();
    }
}
