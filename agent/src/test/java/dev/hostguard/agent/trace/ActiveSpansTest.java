package dev.hostguard.agent.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import datadog.trace.api.CorrelationIdentifier;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The tracers as this test's class loader has them: OpenTelemetry's real API (opentelemetry-api, no SDK: a span
 * made current by {@code Span.wrap}) and a stand-in of Datadog's {@code CorrelationIdentifier}.
 */
class ActiveSpansTest {
    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String SPAN = "b7ad6b7169203331";
    private final ClassLoader loader = ActiveSpansTest.class.getClassLoader();

    @AfterEach
    void noDatadogSpan() {
        CorrelationIdentifier.current("0", "0");
        CorrelationIdentifier.failWith(null);
    }

    @Test
    void noTracerWithASpanIsNoSpan() throws Exception {
        assertNull(new ActiveSpans().current(loader));
        assertNull(new ActiveSpans().current(null), "the boot loader has no tracer in this JVM");
    }

    @Test
    void openTelemetrysCurrentSpanIsReadFromTheApplicationsApi() throws Exception {
        ActiveSpans spans = new ActiveSpans();
        Span span = Span.wrap(SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(), TraceState.getDefault()));
        try (Scope ignored = span.makeCurrent()) {
            assertEquals(new SpanIds(TRACE, SPAN), spans.current(loader));
        }
        assertNull(spans.current(loader), "the span is no longer current");
    }

    @Test
    void openTelemetryWinsOverDatadogAndDatadogAnswersAlone() throws Exception {
        ActiveSpans spans = new ActiveSpans();
        CorrelationIdentifier.current("1234567890123456789", "987654321");
        assertEquals(new SpanIds("1234567890123456789", "987654321"), spans.current(loader));
        Span span = Span.wrap(SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(), TraceState.getDefault()));
        try (Scope ignored = span.makeCurrent()) {
            assertEquals(new SpanIds(TRACE, SPAN), spans.current(loader));
        }
    }

    @Test
    void idsThatAreNotPlainHexOrDigitsAreNoSpan() throws Exception {
        ActiveSpans spans = new ActiveSpans();
        CorrelationIdentifier.current("12 34", "1");
        assertNull(spans.current(loader));
        CorrelationIdentifier.current("1\n{\"forged\":1}", "1");
        assertNull(spans.current(loader));
        CorrelationIdentifier.current("123", "0");
        assertNull(spans.current(loader));
    }

    @Test
    void aTracerThatFailsIsReportedOnceAndNotAskedAgain() throws Exception {
        ActiveSpans spans = new ActiveSpans();
        CorrelationIdentifier.failWith(new IllegalStateException("tracer broke"));
        TracerFailure failure = assertThrows(TracerFailure.class, () -> spans.current(loader));
        assertEquals("tracer broke", failure.getCause().getMessage());
        assertNull(spans.current(loader), "not asked again: no second failure");
        CorrelationIdentifier.failWith(null);
        CorrelationIdentifier.current("42", "43");
        assertNull(spans.current(loader), "still not asked");
        assertEquals(new SpanIds("42", "43"), new ActiveSpans().current(loader));
    }
}
