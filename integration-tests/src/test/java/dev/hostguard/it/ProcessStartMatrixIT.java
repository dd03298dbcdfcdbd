package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostguard.demo.Actions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every process-start shape, through both servers, in both modes, with each credential class, on every JDK.
 *
 * <p>Each (JDK, server, mode) is one container of dynamic tests: the first starts that server JVM with the agent,
 * one test per (shape, credentials) sends {@code cmd=touch <marker>} and checks status, marker and event, a few
 * more check what must not appear, and the last stops the JVM (failing on agent WARN/ERROR lines or a leaked key).
 * At most one server JVM runs at a time; {@link ServiceSlots} stops one a failure left running.
 */
class ProcessStartMatrixIT {
    private static final String TEST = ProcessStartMatrixIT.class.getSimpleName();
    private static final List<String> MODES = List.of("audit", "block");
    private static final String SECRET_QUERY_VALUE = "s3cr3t";

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ServiceSlots SLOTS = new ServiceSlots();

    @TestFactory
    Stream<DynamicNode> processStarts() {
        return Jdks.all().stream().map(jdk -> dynamicContainer("JDK " + jdk.version(),
                GuardedServer.WITH_EVERY_ROUTE.stream().map(server -> dynamicContainer(server.displayName(),
                        MODES.stream().map(mode -> forService(jdk, server, mode))))));
    }

    /**
     * The matrix must grow with the demo: every process action of the demo ({@code Actions.processActions()}) is a
     * shape here, every hand-over process action ({@code Actions.handOverActions()}: the process start runs on
     * another thread) is one of {@link HandOverIT}, and every action of the demo is a process action, a hand-over
     * action, a file action ({@link FileAccessMatrixIT}) or one of the few others, so a new process action cannot
     * hide among the others.
     */
    @Test
    void coversEveryProcessStartShapeOfTheDemo() {
        assertEquals(new TreeSet<>(ExecShapes.ALL), new TreeSet<>(Actions.processActions()),
                "ExecShapes.ALL vs the demo's Actions.processActions()");
        assertEquals(new TreeSet<>(HandOverIT.SHAPES), new TreeSet<>(Actions.handOverActions()),
                "HandOverIT.SHAPES vs the demo's Actions.handOverActions()");
        Set<String> both = new TreeSet<>(Actions.processActions());
        both.retainAll(Actions.handOverActions());
        assertTrue(both.isEmpty(), () -> "both a plain and a hand-over process action: " + both);
        Set<String> others = new TreeSet<>(Actions.names());
        others.removeAll(Actions.processActions());
        others.removeAll(Actions.handOverActions());
        others.removeAll(Actions.fileActions());
        others.removeAll(Actions.fileChangeActions());
        others.removeAll(Actions.networkActions());
        assertEquals(new TreeSet<>(Set.of("docker-list", "docker-run", "metrics", "jni-load", "jni-load-library",
                "jna-mkdir", "ffm-library-mkdir", "ffm-mkdir", "process-info", "process-signal",
                "files-delete-on-close")), others,
                "the demo's actions that are neither process nor file actions");
    }


    private DynamicContainer forService(Jdks.Jdk jdk, GuardedServer server, String mode) {
        Path dir = tmp.resolve(jdk.label() + "-" + server.id() + "-" + mode);
        UnaryOperator<ServiceProcess.Builder> unlimited = GuardedService.withPolicy(dir.resolve("policy.yaml"),
                GuardedService.UNLIMITED_EVENTS_POLICY);
        ServiceSlot slot = new ServiceSlot(TEST, jdk, server, mode, dir,
                b -> unlimited.apply(server == GuardedServer.HTTPSERVER_APP
                        ? b.env("BOOT_EXEC", "touch " + dir.resolve("markers").resolve("boot")) : b));
        SLOTS.add(slot);
        String at = slot.label();
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "start " + server.id() + " with -javaagent mode=" + mode, slot::start));
        for (String shape : ExecShapes.ALL) {
            for (Credentials credentials : Credentials.values()) {
                tests.add(dynamicTest(at + caseName(server, mode, shape, credentials),
                        () -> processStartCase(slot.require(), shape, credentials)));
            }
        }
        tests.add(dynamicTest(at + "a secret in the query string (&token=" + SECRET_QUERY_VALUE + ") never reaches the events",
                () -> secretQueryParameter(slot.require())));
        if (server == GuardedServer.HTTPSERVER_APP && mode.equals("block")) {
            tests.add(dynamicTest(at + "a handler that answers the refusal itself keeps its committed 500; nothing ran",
                    () -> handlerAnsweredItself(slot.require())));
        }
        tests.add(dynamicTest(at + "a process started at boot, outside any request, runs and logs no event",
                () -> bootProcess(slot.require())));
        tests.add(dynamicTest(at + "stop: no agent WARN/ERROR; the API key is in neither the events nor the log",
                slot::stop));
        return dynamicContainer("mode=" + mode, tests.stream());
    }

    private static String caseName(GuardedServer server, String mode, String shape, Credentials credentials) {
        boolean blocked = credentials.guarded() && mode.equals("block");
        String outcome = blocked ? "403, not run, event blocked"
                : credentials.guarded() ? "200, ran, event logged" : "200, ran, no event";
        return shape + " | " + credentials.authClass() + " on " + server.route(credentials) + " -> " + outcome;
    }

    /** One request, {@code cmd=touch <marker>}, and everything that must and must not follow from it. */
    static void processStartCase(GuardedService service, String shape, Credentials credentials) {
        Path marker = service.marker(shape + "-" + credentials.authClass());
        EventLog events = service.events();
        int before = events.count();
        boolean blocked = credentials.guarded() && service.blocking();

        HttpTestClient.Response response = service.exec(credentials, shape, "touch " + marker).send();

        if (blocked) {
            GuardAssertions.assertBlocked(service, response, marker, before,
                    expectedEvent(service, shape, credentials, marker, true));
        } else {
            ProcessStartEvent.assertRan(response);
            assertTrue(Files.exists(marker), "the command should have run: " + marker + " does not exist");
            if (credentials.guarded()) {
                JsonNode event = events.awaitSince(before, "for " + marker, EventLog.hasProcessArg(marker.toString()));
                expectedEvent(service, shape, credentials, marker, false).assertMatches(event);
                List<Predicate<JsonNode>> expected = new ArrayList<>();
                expected.add(EventLog.hasProcessArg(marker.toString()));
                if (ExecShapes.startsCatAfterwards(shape)) {
                    Predicate<JsonNode> cat = e -> e.path("process").path("args").toString().equals("[\"cat\"]")
                            && e.path("url").path("path").asText().equals(service.server().route(credentials));
                    events.awaitSince(before, "for the pipeline's cat", cat);
                    expected.add(cat);
                }
                GuardAssertions.assertOnlyEvents(events, before, expected);
            } else {
                Path followUp = service.marker(shape + "-" + credentials.authClass() + "-follow-up");
                events.assertNothingLoggedSince(before, "for a " + credentials.authClass() + " request",
                        () -> service.exec(Credentials.NONE, "process-builder", "touch " + followUp).send(),
                        EventLog.hasProcessArg(followUp.toString()));
            }
        }
        GuardAssertions.assertKeyNotLeaked(service);
        service.process().assertNoUnexpectedAgentProblems();
    }

    static ProcessStartEvent expectedEvent(GuardedService service, String shape, Credentials credentials, Path marker,
                                           boolean blocked) {
        return new ProcessStartEvent(blocked, service.mode(), credentials.authClass(),
                service.server().route(credentials), List.of("touch", marker.toString()),
                ExecShapes.usesDirectory(shape) ? service.markers() : service.workingDirectory(),
                credentials == Credentials.API_KEY ? service.secrets().apiKeyFingerprint() : null);
    }

    private static void secretQueryParameter(GuardedService service) {
        Path marker = service.marker("secret-query");
        int before = service.events().count();
        HttpTestClient.Response response = service.exec(Credentials.NONE, "process-builder", "touch " + marker)
                .query("token", SECRET_QUERY_VALUE).send();
        ProcessStartEvent expected = new ProcessStartEvent(service.blocking(), service.mode(), "none",
                service.server().route(Credentials.NONE), List.of("touch", marker.toString()), service.markers(), null);
        if (service.blocking()) {
            GuardAssertions.assertBlocked(service, response, marker, before, expected);
        } else {
            ProcessStartEvent.assertRan(response);
            assertTrue(Files.exists(marker), "the command should have run");
            expected.assertMatches(service.events().awaitSince(before, "for " + marker,
                    EventLog.hasProcessArg(marker.toString())));
        }
        assertFalse(service.events().rawText().contains(SECRET_QUERY_VALUE), "the query string's secret is in the events");
        assertFalse(service.events().rawText().contains("token="), "the query string is in the events");
        List<String> agentLinesWithSecret = service.process().lines().stream().map(ServiceProcess.Line::text)
                .filter(l -> l.startsWith("[hostguard]") && l.contains(SECRET_QUERY_VALUE)).toList();
        assertTrue(agentLinesWithSecret.isEmpty(), () -> "agent lines carry the secret: " + agentLinesWithSecret);
    }

    /**
     * The JDK server buffers nothing: once the handler sent its own error the response is committed, so the
     * client keeps that answer; the refusal itself holds and is logged all the same.
     */
    private static void handlerAnsweredItself(GuardedService service) {
        Path marker = service.marker("answered-itself");
        int before = service.events().count();
        HttpTestClient.Response response = service.exec(Credentials.API_KEY, "process-builder", "touch " + marker)
                .query("answer", "self").send();
        assertFalse(Files.exists(marker), "blocked, yet the command ran");
        assertEquals(500, response.status(), "the handler's own answer: " + response);
        assertTrue(response.body().contains("blocked by HostGuard"), "the app saw the refusal: " + response);
        JsonNode event = service.events().awaitSince(before, "for " + marker, EventLog.hasProcessArg(marker.toString()));
        assertEquals("blocked", event.at("/hostguard/decision").asText());
    }

    private static void bootProcess(GuardedService service) {
        Assumptions.assumeTrue(service.server() == GuardedServer.HTTPSERVER_APP,
                "the demo starts no process at boot; the httpserver app does (BOOT_EXEC)");
        Path bootMarker = service.markers().resolve("boot");
        assertTrue(Files.exists(bootMarker), "the boot command should have run (even in block mode): " + bootMarker);
        // A later request's event proves the events of everything before it were written.
        Path marker = service.marker("after-boot");
        int before = service.events().count();
        service.exec(Credentials.NONE, "process-builder", "touch " + marker).send();
        service.events().awaitSince(before, "for " + marker, EventLog.hasProcessArg(marker.toString()));
        List<JsonNode> boot = service.events().events().stream()
                .filter(e -> e.toString().contains(bootMarker.toString())).toList();
        assertTrue(boot.isEmpty(), () -> "the boot-time process start was logged:\n" + EventLog.describe(boot));
    }
}
