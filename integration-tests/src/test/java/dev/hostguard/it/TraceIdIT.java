package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trace correlation from the request's headers: an API-key request refused in block mode (the demo, Jetty) with a
 * W3C {@code traceparent} and an {@code X-Request-Id} gets an event with exactly that trace id, the header's parent
 * id as {@code span.id} and the request id, served directly and handed over to the demo's pool (the ids travel with
 * the work); a request without them, or with malformed ones, gets none of those fields; the
 * {@code request-id-header} option names another header.
 */
class TraceIdIT {
    private static final String TEST = TraceIdIT.class.getSimpleName();

    @TempDir
    static Path tmp;

    @TestFactory
    Stream<DynamicTest> traceIdsFromHeaders() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Jdks.Jdk jdk : Jdks.all()) {
            tests.add(dynamicTest("[" + jdk.label() + "] traceparent and X-Request-Id in the event, served directly and"
                    + " handed over; none without them or when malformed", () -> headers(jdk)));
        }
        Jdks.Jdk build = Jdks.all().get(0);
        tests.add(dynamicTest("[" + build.label() + "] request-id-header=X-Correlation-Id: that header, not"
                + " X-Request-Id", () -> otherHeader(build)));
        return tests.stream();
    }

    private static void headers(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(jdk.label()));
        try (GuardedService service = GuardedService.start(TEST, GuardedServer.DEMO, jdk, "block", dir)) {
            for (String shape : List.of("exec-array", "pool")) {
                String trace = randomHex(32);
                String parent = randomHex(16);
                String requestId = "req-" + shape + "-" + randomHex(8);
                JsonNode event = refused(service, shape, shape + "-traced", "00-" + trace + "-" + parent + "-01",
                        "X-Request-Id", requestId);
                assertIds(event, trace, parent, requestId);
            }
            assertNoIds(refused(service, "exec-array", "plain", null, null, null));
            assertNoIds(refused(service, "pool", "plain-pool", null, null, null));
            assertNoIds(refused(service, "exec-array", "malformed",
                    "00-" + randomHex(32).toUpperCase() + "-" + randomHex(16) + "-01", "X-Request-Id", "two words"));
            assertNoIds(refused(service, "exec-array", "zero-trace",
                    "00-" + "0".repeat(32) + "-" + randomHex(16) + "-01", "X-Request-Id", "x".repeat(129)));
            assertNoIds(refused(service, "exec-array", "version-ff",
                    "ff-" + randomHex(32) + "-" + randomHex(16) + "-01", null, null));
            service.process().assertNoUnexpectedAgentProblems();
        }
    }

    private static void otherHeader(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(jdk.label() + "-option"));
        try (GuardedService service = GuardedService.start(TEST, GuardedServer.DEMO, jdk, "block", dir,
                b -> b.addAgentOption("request-id-header=X-Correlation-Id"))) {
            JsonNode event = refused(service, "exec-array", "correlation", null, "X-Correlation-Id", "corr-42");
            assertEquals("corr-42", event.at("/http/request/id").asText(), event::toString);
            JsonNode other = refused(service, "exec-array", "request-id-ignored", null, "X-Request-Id", "req-43");
            assertNoIds(other);
        }
    }

    /**
     * {@code touch <marker>} with the API key and the given headers ({@code null}: not sent), refused: the
     * demo's 403 names the one event, the marker is absent.
     */
    static JsonNode refused(GuardedService service, String shape, String name, String traceparent,
                            String idHeader, String requestId) {
        Path marker = service.marker(name);
        int before = service.events().count();
        HttpTestClient.Get get = service.exec(Credentials.API_KEY, shape, "touch " + marker);
        if (traceparent != null) {
            get.header("traceparent", traceparent);
        }
        if (requestId != null) {
            get.header(idHeader, requestId);
        }
        HttpTestClient.Response response = get.send();
        JsonNode event = GuardAssertions.assertRefused(service, shape + " " + response, marker, before,
                new ProcessStartEvent(true, "block", "api-key", "/admin/exec", List.of("touch", marker.toString()),
                        ExecShapes.usesDirectory(shape) ? service.markers() : service.workingDirectory(),
                        service.secrets().apiKeyFingerprint()));
        assertEquals(403, response.status(), response::toString);
        assertEquals(event.at("/event/id").asText(), response.json().path("event_id").asText(), response::toString);
        if (shape.equals("pool")) {
            HandOverIT.assertPropagated(event, "demo-pool-\\d+");
        }
        return event;
    }

    static void assertIds(JsonNode event, String trace, String span, String requestId) {
        assertEquals(trace, event.at("/trace/id").asText(), () -> "trace.id in " + event);
        assertEquals(span, event.at("/span/id").asText(), () -> "span.id in " + event);
        if (requestId == null) {
            assertTrue(event.at("/http/request/id").isMissingNode(), () -> "no http.request.id in " + event);
        } else {
            assertEquals(requestId, event.at("/http/request/id").asText(), () -> "http.request.id in " + event);
        }
    }

    static void assertNoIds(JsonNode event) {
        assertTrue(event.at("/trace").isMissingNode() && event.at("/span").isMissingNode()
                && event.at("/http/request/id").isMissingNode(), () -> "no correlation ids expected: " + event);
    }

    static String randomHex(int digits) {
        StringBuilder hex = new StringBuilder(digits);
        while (hex.length() < digits) {
            hex.append(Character.forDigit(ThreadLocalRandom.current().nextInt(16), 16));
        }
        return hex.charAt(0) == '0' ? "1" + hex.substring(1) : hex.toString();
    }
}
