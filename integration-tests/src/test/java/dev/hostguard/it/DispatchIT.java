package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request scope covers work done inside a filter and in every servlet dispatch of the request: the demo's
 * API-key routes that reach the action table through a FORWARD, an INCLUDE, an ERROR dispatch (error page) or
 * a filter that answers itself are guarded exactly like {@code /admin/exec}, on every JDK, in block and in audit
 * mode (one demo JVM per JDK and mode). And the scope closes when a request ends with an exception: after
 * {@code /admin/fail}, a BASIC-login request runs freely and logs nothing, and a request without credentials is
 * again classed {@code none}.
 *
 * <p>What Jetty 12 (ee10) does, and what the agent makes of it:
 * <ul>
 *   <li>In a FORWARD and an ERROR dispatch the request's {@code getRequestURI()} is the dispatch target
 *       ({@code /admin/exec}, the error page {@code /admin/on-error}); the event's {@code url.path} is still the
 *       path the client sent, which the container keeps in the {@code jakarta.servlet.forward.request_uri} /
 *       {@code jakarta.servlet.error.request_uri} attributes.</li>
 *   <li>{@code RequestDispatcher.forward} commits and closes the response before it returns (servlet spec), so
 *       the agent answers the refusal at the first exit where the response is still open (the forward target's),
 *       not only at the outermost one.</li>
 *   <li>The ERROR dispatch does not nest inside the failed request's entries: Jetty runs the error page after the
 *       exception has left the outermost filter chain, in the same {@code ServletChannel.handle} call on the same
 *       thread. It opens a scope of its own, on a request that carries the same headers, so it is classified the
 *       same, and its answer is the agent's 403.</li>
 * </ul>
 */
class DispatchIT {
    private static final String TEST = DispatchIT.class.getSimpleName();
    private static final List<String> MODES = List.of("block", "audit");
    private static final String SHAPE = "process-builder";

    @TempDir
    static Path tmp;

    private static final List<GuardedService> STARTED = new ArrayList<>();

    /**
     * One way the demo runs {@code Actions.run} inside an API-key request.
     *
     * @param name what happens, for test names
     * @param clientPath the path the client requests, which the event's {@code url.path} must name
     */
    private record Dispatch(String name, String clientPath) {
        String describe(boolean blocking) {
            String answer = blocking ? "agent's 403, not run, event blocked" : "200, ran, event logged";
            return name + ": GET " + clientPath + " with the API key -> " + answer + ", url.path " + clientPath;
        }
    }

    private static final List<Dispatch> DISPATCHES = List.of(
            new Dispatch("forward to /admin/exec", "/admin/forward"),
            new Dispatch("include of /admin/exec", "/admin/include"),
            new Dispatch("error dispatch to the error page /admin/on-error", "/admin/fail"),
            new Dispatch("filter that runs the action and answers, no servlet", "/admin/filtered/exec"));

    private static final Dispatch ERROR_DISPATCH = DISPATCHES.get(2);

    @TestFactory
    Stream<DynamicNode> dispatches() {
        return Jdks.all().stream().map(jdk -> dynamicContainer("JDK " + jdk.version(),
                MODES.stream().map(mode -> forService(jdk, mode))));
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

    private DynamicContainer forService(Jdks.Jdk jdk, String mode) {
        GuardedService[] service = new GuardedService[1];
        boolean blocking = mode.equals("block");
        String at = "[" + jdk.label() + " demo " + mode + "] ";
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "start demo with -javaagent mode=" + mode, () -> {
            service[0] = GuardedService.start(TEST, GuardedServer.DEMO, jdk, mode, tmp.resolve(jdk.label() + "-" + mode));
            synchronized (STARTED) {
                STARTED.add(service[0]);
            }
        }));
        for (Dispatch dispatch : DISPATCHES) {
            tests.add(dynamicTest(at + dispatch.describe(blocking), () -> dispatchCase(running(service[0]), dispatch)));
        }
        tests.add(dynamicTest(at + "after /admin/fail threw: a BASIC-login /ops/exec runs and logs nothing, then "
                + "/public/exec is classed none again", () -> afterException(running(service[0]))));
        tests.add(dynamicTest(at + "stop: no agent WARN/ERROR; the API key is in neither the events nor the log", () -> {
            GuardedService s = running(service[0]);
            s.close();
            GuardAssertions.assertKeyNotLeaked(s);
        }));
        return dynamicContainer("mode=" + mode, tests);
    }

    private static GuardedService running(GuardedService service) {
        if (service == null || !service.process().isAlive()) {
            Assumptions.abort("the demo is not running");
        }
        return service;
    }

    /** {@code cmd=touch <marker>} through one dispatch with the API key: status, marker and exactly one event. */
    private static void dispatchCase(GuardedService service, Dispatch dispatch) {
        Path marker = service.marker(dispatch.clientPath().replace('/', '-'));
        apiKeyRequest(service, dispatch, marker);
        GuardAssertions.assertKeyNotLeaked(service);
        service.process().assertNoUnexpectedAgentProblems();
    }

    private static void apiKeyRequest(GuardedService service, Dispatch dispatch, Path marker) {
        int before = service.events().count();
        HttpTestClient.Response response = service.exec(dispatch.clientPath(), SHAPE, "touch " + marker)
                .apiKey(service.secrets().apiKey()).send();

        ProcessStartEvent expected = new ProcessStartEvent(service.blocking(), service.mode(), "api-key",
                dispatch.clientPath(), List.of("touch", marker.toString()), service.markers(),
                service.secrets().apiKeyFingerprint());
        if (!service.blocking()) {
            ProcessStartEvent.assertRan(response);
            assertTrue(Files.exists(marker), "audit mode, yet the command did not run: " + marker + " does not exist");
            JsonNode event = service.events().awaitSince(before, "for " + marker, EventLog.hasProcessArg(marker.toString()));
            expected.assertMatches(event);
            GuardAssertions.assertOnlyEvents(service.events(), before, List.of(EventLog.hasProcessArg(marker.toString())));
        } else {
            GuardAssertions.assertBlocked(service, response, marker, before, expected);
        }
    }

    /**
     * The scope a thrown exception ended is closed: after {@code /admin/fail}, a request with a BASIC login is
     * {@code user} (runs, no event) and a request with nothing is {@code none} (logged or blocked as such).
     */
    private static void afterException(GuardedService service) {
        apiKeyRequest(service, ERROR_DISPATCH, service.marker("fail-before-follow-ups"));

        Path opsMarker = service.marker("ops-after-fail");
        int before = service.events().count();
        HttpTestClient.Response ops = service.exec(Credentials.USER_LOGIN, SHAPE, "touch " + opsMarker).send();
        ProcessStartEvent.assertRan(ops);
        assertTrue(Files.exists(opsMarker), "the BASIC-login request's command should have run: " + opsMarker);

        Path publicMarker = service.marker("public-after-fail");
        HttpTestClient.Response[] open = new HttpTestClient.Response[1];
        service.events().assertNothingLoggedSince(before, "for the BASIC-login /ops/exec after /admin/fail",
                () -> open[0] = service.exec(Credentials.NONE, SHAPE, "touch " + publicMarker).send(),
                EventLog.hasProcessArg(publicMarker.toString()));

        ProcessStartEvent expected = new ProcessStartEvent(service.blocking(), service.mode(), "none", "/public/exec",
                List.of("touch", publicMarker.toString()), service.markers(), null);
        if (service.blocking()) {
            GuardAssertions.assertBlocked(service, open[0], publicMarker, before, expected);
        } else {
            ProcessStartEvent.assertRan(open[0]);
            assertTrue(Files.exists(publicMarker), "audit mode, yet the command did not run: " + publicMarker);
            expected.assertMatches(service.events().awaitSince(before, "for " + publicMarker,
                    EventLog.hasProcessArg(publicMarker.toString())));
        }
        GuardAssertions.assertKeyNotLeaked(service);
        service.process().assertNoUnexpectedAgentProblems();
    }
}
