package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The servlet async API on Jetty (the demo) and Tomcat ({@code TomcatApp}), both serving the demo's
 * {@code AsyncActionServlet}, on every JDK, in block mode. With the API key: {@code AsyncContext.start(work)} runs
 * the command on a container thread, which is refused there (the marker never appears), one blocked event says
 * {@code hostguard.context=propagated} and names the submitting request thread (on Tomcat often the same thread,
 * free again by then), and the servlet's own 500 carries
 * the refusal; {@code AsyncContext.dispatch()} enters the servlet again on a container thread, a request entry of
 * its own on the same request object, so its refusal is the request's ({@code hostguard.context=request}) and the
 * client gets the agent's 403. With a BASIC login both run and nothing is logged.
 */
class AsyncServletIT {
    private static final String TEST = AsyncServletIT.class.getSimpleName();
    private static final List<GuardedServer> SERVERS = List.of(GuardedServer.DEMO, GuardedServer.TOMCAT_APP);
    /** The container threads that run {@code AsyncContext.start} work. */
    private static final Map<GuardedServer, String> CONTAINER_THREADS = Map.of(
            GuardedServer.DEMO, "qtp\\d+-\\d+", GuardedServer.TOMCAT_APP, "http-nio-.*-exec-\\d+");

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ServiceSlots SLOTS = new ServiceSlots();

    @TestFactory
    Stream<DynamicNode> asyncServlets() {
        return Jdks.all().stream().map(jdk -> dynamicContainer("JDK " + jdk.version(),
                SERVERS.stream().map(server -> forService(jdk, server))));
    }


    private DynamicContainer forService(Jdks.Jdk jdk, GuardedServer server) {
        ServiceSlot slot = new ServiceSlot(TEST, jdk, server, "block", tmp.resolve(jdk.label() + "-" + server.id()),
                b -> b);
        SLOTS.add(slot);
        String at = slot.label();
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "start " + server.displayName() + " with -javaagent mode=block", slot::start));
        tests.add(dynamicTest(at + "AsyncContext.start | api-key -> not run, one blocked propagated event, the "
                + "servlet's 500 naming it", () -> asyncStartRefused(slot.require())));
        tests.add(dynamicTest(at + "AsyncContext.dispatch | api-key -> not run, one blocked request event, 403",
                () -> asyncDispatchRefused(slot.require())));
        for (String kind : List.of("start", "dispatch")) {
            tests.add(dynamicTest(at + "AsyncContext." + kind + " | user -> 200, ran, no event",
                    () -> loginRuns(slot.require(), kind)));
        }
        tests.add(dynamicTest(at + "stop: no agent WARN/ERROR; the API key is in neither the events nor the log",
                slot::stop));
        return dynamicContainer(server.displayName(), tests.stream());
    }

    private static ProcessStartEvent expected(GuardedService service, String route, Path marker) {
        return new ProcessStartEvent(true, "block", "api-key", route, List.of("touch", marker.toString()),
                service.markers(), service.secrets().apiKeyFingerprint());
    }

    private static void asyncStartRefused(GuardedService service) {
        String route = service.server().asyncRoute(Credentials.API_KEY, "start");
        Path marker = service.marker("async-start-api-key");
        int before = service.events().count();
        HttpTestClient.Response response = service.withCredentials(
                service.exec(route, "process-builder", "touch " + marker), Credentials.API_KEY).send();
        JsonNode event = GuardAssertions.assertRefused(service, "response " + response, marker, before,
                expected(service, route, marker));
        assertPropagatedOnContainerThread(event, CONTAINER_THREADS.get(service.server()));
        assertEquals(500, response.status(), () -> "the servlet's own answer to the refused work: " + response);
        String error = response.json().path("error").asText();
        assertTrue(error.contains("blocked by HostGuard") && error.contains(event.at("/event/id").asText()),
                () -> "the refusal reached the async work's answer, naming the event: " + response);
        GuardAssertions.assertKeyNotLeaked(service);
        service.process().assertNoUnexpectedAgentProblems();
    }

    /**
     * The event is the request's, from work the request thread handed over. The work may run on that very thread
     * (Tomcat's executor gives the async task to the first free thread, often the one that just left the
     * request), so only both names are checked, not that they differ.
     */
    private static void assertPropagatedOnContainerThread(JsonNode event, String containerThreads) {
        JsonNode hg = event.path("hostguard");
        assertEquals("propagated", hg.path("context").asText(), () -> "hostguard.context in " + event);
        assertTrue(hg.path("submitter").asText("").matches(containerThreads),
                () -> "hostguard.submitter does not match " + containerThreads + ": " + event);
        assertTrue(event.path("thread").path("name").asText("").matches(containerThreads),
                () -> "thread.name does not match " + containerThreads + ": " + event);
    }

    private static void asyncDispatchRefused(GuardedService service) {
        String route = service.server().asyncRoute(Credentials.API_KEY, "dispatch");
        Path marker = service.marker("async-dispatch-api-key");
        int before = service.events().count();
        HttpTestClient.Response response = service.withCredentials(
                service.exec(route, "process-builder", "touch " + marker), Credentials.API_KEY).send();
        JsonNode event = GuardAssertions.assertBlocked(service, response, marker, before,
                expected(service, route, marker));
        assertEquals("request", event.path("hostguard").path("context").asText(), () -> "context in " + event);
        GuardAssertions.assertKeyNotLeaked(service);
        service.process().assertNoUnexpectedAgentProblems();
    }

    private static void loginRuns(GuardedService service, String kind) {
        Path marker = service.marker("async-" + kind + "-user");
        int before = service.events().count();
        HttpTestClient.Response response = service.withCredentials(service.exec(
                service.server().asyncRoute(Credentials.USER_LOGIN, kind), "process-builder", "touch " + marker),
                Credentials.USER_LOGIN).send();
        ProcessStartEvent.assertRan(response);
        assertTrue(Files.exists(marker), "the command should have run: " + marker + " does not exist");
        HandOverIT.assertNothingLogged(service, before, "for a BASIC-login async " + kind + " request",
                "async-" + kind + "-user-follow-up");
        service.process().assertNoUnexpectedAgentProblems();
    }
}
