package dev.hostguard.agent.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.hostguard.agent.context.FakeRequest;
import dev.hostguard.agent.event.TraceIds;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import org.junit.jupiter.api.Test;

class RequestTraceTest {
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void theHeadersGiveTheTraceTheCallersSpanAndTheRequestId() {
        RequestTrace trace = new RequestTrace("X-Request-Id");
        assertEquals(new TraceIds("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "req-7"),
                trace.fromHeaders(new FakeRequest().header("traceparent", TRACEPARENT).header("x-request-id", "req-7")));
        assertEquals(new TraceIds(null, null, "req-7"),
                trace.fromHeaders(new FakeRequest().header("traceparent", "00-bad").header("X-Request-Id", "req-7")));
        assertEquals(new TraceIds("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", null),
                trace.fromHeaders(new FakeRequest().header("traceparent", TRACEPARENT).header("X-Request-Id", "a b")));
        assertNull(trace.fromHeaders(new FakeRequest()));
    }

    @Test
    void theRequestIdHeaderIsTheOptions() {
        FakeRequest request = new FakeRequest().header("X-Request-Id", "one").header("X-Correlation-Id", "two");
        assertEquals("two", new RequestTrace("X-Correlation-Id").fromHeaders(request).requestId());
    }

    @Test
    void aTracersCurrentSpanWinsOverTheHeadersParentAndKeepsTheRequestId() throws Exception {
        RequestTrace trace = new RequestTrace("X-Request-Id");
        TraceIds headers = trace.fromHeaders(new FakeRequest().header("traceparent", TRACEPARENT)
                .header("X-Request-Id", "req-7"));
        assertEquals(headers, trace.withActiveSpan(headers), "no span current: the headers' ids stand");
        Span server = Span.wrap(SpanContext.create("4bf92f3577b34da6a3ce929d0e0e4736", "53995c3f42cd8ad8",
                TraceFlags.getSampled(), TraceState.getDefault()));
        try (Scope ignored = server.makeCurrent()) {
            assertEquals(new TraceIds("4bf92f3577b34da6a3ce929d0e0e4736", "53995c3f42cd8ad8", "req-7"),
                    trace.withActiveSpan(headers));
            assertEquals(new TraceIds("4bf92f3577b34da6a3ce929d0e0e4736", "53995c3f42cd8ad8", null),
                    trace.withActiveSpan(null));
        }
    }
}
