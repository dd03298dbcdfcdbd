package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * HostGuard beside the OpenTelemetry Java agent (2.31.1, both {@code -javaagent} orders, traces to its
 * {@code logging} exporter, metrics and logs off), on the demo (Jetty 12) in block mode: both agents start, the
 * service answers, the API-key request's process start is still refused (marker absent), and the event's
 * {@code trace.id}/{@code span.id} are those of the server span OpenTelemetry logged for that request: a child of
 * the request's {@code traceparent} (same trace, its own span id, not the header's parent), or a trace of its own
 * without one, also when the work was handed over to the demo's pool (OpenTelemetry's context travels with it).
 */
class OpenTelemetryAgentIT {
    private static final String TEST = OpenTelemetryAgentIT.class.getSimpleName();
    /** The logging exporter's line for a finished server span: {@code '<name>' : <trace id> <span id> SERVER ...}. */
    private static final Pattern SERVER_SPAN = Pattern.compile("'([^']*)' : ([0-9a-f]{32}) ([0-9a-f]{16}) SERVER ");
    private static final Pattern OTEL_STARTED = Pattern.compile("opentelemetry-javaagent - version: ");

    @TempDir
    static Path tmp;

    @TestFactory
    Stream<DynamicTest> besideTheOpenTelemetryAgent() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Jdks.Jdk jdk : Jdks.all()) {
            for (boolean otelFirst : new boolean[] {false, true}) {
                tests.add(dynamicTest("[" + jdk.label() + "] " + (otelFirst ? "OpenTelemetry's agent first" : "HostGuard"
                        + " first") + ": refused, marker absent, the event names OpenTelemetry's server span",
                        () -> bothAgents(jdk, otelFirst)));
            }
        }
        return tests.stream();
    }

    private static void bothAgents(Jdks.Jdk jdk, boolean otelFirst) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(jdk.label() + (otelFirst ? "-otel-first" : "-hostguard-first")));
        String otelAgent = "-javaagent:" + BuiltArtifacts.openTelemetryAgentJar();
        try (GuardedService service = GuardedService.start(TEST, GuardedServer.DEMO, jdk, "block", dir, b -> {
            if (otelFirst) {
                b.jvmArgsBeforeAgent(otelAgent);
            } else {
                b.jvmArgs(otelAgent);
            }
            return b.jvmArgs("-Dotel.traces.exporter=logging", "-Dotel.metrics.exporter=none",
                            "-Dotel.logs.exporter=none", "-Dotel.service.name=hostguard-demo")
                    .requireLine(OTEL_STARTED)
                    .startTimeout(Duration.ofSeconds(180));
        })) {
            String trace = TraceIdIT.randomHex(32);
            String parent = TraceIdIT.randomHex(16);
            for (String shape : List.of("exec-array", "pool")) {
                int lines = service.process().lines().size();
                JsonNode event = TraceIdIT.refused(service, shape, shape + "-traced",
                        "00-" + trace + "-" + parent + "-01", "X-Request-Id", "req-" + shape);
                Matcher span = serverSpan(service, lines);
                assertEquals(trace, span.group(2), () -> "OpenTelemetry's server span continues the traceparent: "
                        + span.group());
                assertNotEquals(parent, span.group(3));
                TraceIdIT.assertIds(event, span.group(2), span.group(3), "req-" + shape);
            }
            int lines = service.process().lines().size();
            JsonNode untraced = TraceIdIT.refused(service, "exec-array", "untraced", null, null, null);
            Matcher span = serverSpan(service, lines);
            assertNotEquals(trace, span.group(2));
            TraceIdIT.assertIds(untraced, span.group(2), span.group(3), null);
            // a person's login runs its command under both agents
            Path marker = service.marker("user-login");
            ProcessStartEvent.assertRan(service.exec(Credentials.USER_LOGIN, "exec-array", "touch " + marker).send());
            assertTrue(Files.exists(marker), "the user's command ran: " + marker);
            service.process().assertNoUnexpectedAgentProblems();
        }
    }

    /** The server span OpenTelemetry logged for {@code /admin/exec} after line {@code from}. */
    private static Matcher serverSpan(GuardedService service, int from) {
        Matcher span = service.process().awaitLine(SERVER_SPAN, from, Duration.ofSeconds(30));
        assertNotNull(span, () -> "no server span logged by OpenTelemetry's logging exporter:\n"
                + service.process().tail());
        return span;
    }
}
