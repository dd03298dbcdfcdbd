package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An allow entry for {@code process-signal} ({@code signal: [SIGTERM]}, route {@code GET /admin/exec}, auth
 * {@code api-key}) against the demo in block mode, every JDK: an API-key request on that route sends the signal
 * ({@code ProcessHandle.destroy()} of another process: it ends; event {@code allowed} naming the entry and its
 * reason); the same key on another route ({@code /public/exec?api_key=}) is still refused (403, the process alive,
 * event {@code blocked}).
 */
class ProcessControlAllowIT {
    private static final String TEST = ProcessControlAllowIT.class.getSimpleName();
    private static final String REASON = "the supervisor stops the workers it started";

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ServiceSlots SLOTS = new ServiceSlots();

    @TestFactory
    Stream<DynamicNode> processSignalAllowedOnItsRouteOnly() {
        return Jdks.all().stream().map(this::forService);
    }

    private DynamicContainer forService(Jdks.Jdk jdk) {
        Path dir = tmp.resolve(jdk.label());
        String policy = GuardedService.UNLIMITED_EVENTS_POLICY + """
                allow:
                  - operation: process-signal
                    signal: [SIGTERM]
                    route: "GET /admin/exec"
                    auth: [api-key]
                    reason: %s
                """.formatted(REASON);
        ServiceSlot slot = new ServiceSlot(TEST, jdk, GuardedServer.DEMO, "block", dir,
                GuardedService.withPolicy(dir.resolve("policy.yaml"), policy));
        SLOTS.add(slot);
        String at = slot.label();
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "start with a process-signal allow entry for GET /admin/exec", slot::start));
        tests.add(dynamicTest(at + "destroy() of another process with the API key on /admin/exec -> sent, allowed",
                () -> allowed(slot.require())));
        tests.add(dynamicTest(at + "the same key on /public/exec -> 403, the process alive, blocked",
                () -> refused(slot.require())));
        tests.add(dynamicTest(at + "stop the server: no agent WARN/ERROR, no leaked key", slot::stop));
        return dynamicContainer("JDK " + jdk.version(), tests);
    }

    private static void allowed(GuardedService service) throws Exception {
        Process victim = new ProcessBuilder("sleep", "3603").start();
        try {
            int before = service.events().count();
            HttpTestClient.Response response = service.withCredentials(service.exec("/admin/exec", "process-signal", "-")
                    .query("pid", Long.toString(victim.pid())), Credentials.API_KEY).send();
            assertEquals(200, response.status(), response::toString);
            assertEquals("sent=true", response.body(), response::toString);
            assertTrue(victim.waitFor(10, TimeUnit.SECONDS), "the allowed signal ended the process");
            JsonNode event = signalEvent(service, before, "the allowed signal");
            assertEquals("allowed", event.at("/hostguard/decision").asText(), event::toString);
            assertEquals(1, event.at("/hostguard/allow_entry").asInt(), event::toString);
            assertEquals(REASON, event.at("/hostguard/reason").asText(), event::toString);
            assertEquals(victim.pid(), event.at("/process/pid").asLong(), event::toString);
        } finally {
            victim.destroyForcibly();
        }
        service.process().assertNoUnexpectedAgentProblems();
    }

    private static void refused(GuardedService service) throws Exception {
        Process victim = new ProcessBuilder("sleep", "3604").start();
        try {
            int before = service.events().count();
            HttpTestClient.Response response = service.exec("/public/exec", "process-signal", "-")
                    .query("pid", Long.toString(victim.pid())).query("api_key", service.secrets().apiKey()).send();
            JsonNode event = signalEvent(service, before, "the refused signal");
            assertEquals("blocked", event.at("/hostguard/decision").asText(), event::toString);
            assertEquals("api-key", event.at("/hostguard/auth").asText(), event::toString);
            assertEquals(403, response.status(), response::toString);
            assertFalse(victim.waitFor(300, TimeUnit.MILLISECONDS), "refused: the process is alive");
        } finally {
            victim.destroyForcibly();
        }
        service.process().assertNoUnexpectedAgentProblems();
    }

    private static JsonNode signalEvent(GuardedService service, int before, String what) {
        return service.events().awaitSince(before, what,
                e -> "process-signal".equals(e.at("/hostguard/rule").asText()));
    }
}
