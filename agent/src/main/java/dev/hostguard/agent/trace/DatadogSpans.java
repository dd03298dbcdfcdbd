package dev.hostguard.agent.trace;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Datadog's tracer (dd-java-agent, or dd-trace-api with a tracer): the static {@code getTraceId()} and
 * {@code getSpanId()} of {@code datadog.trace.api.CorrelationIdentifier}, what its log correlation reads; both
 * answer {@code "0"} when no span is active.
 */
final class DatadogSpans extends TracerSpans {
    static final String CORRELATION = "datadog.trace.api.CorrelationIdentifier";
    private final MethodHandle traceId;
    private final MethodHandle spanId;

    private DatadogSpans(MethodHandle traceId, MethodHandle spanId) {
        this.traceId = traceId;
        this.spanId = spanId;
    }

    /** @return the tracer's API in {@code loader} (or the boot loader for {@code null}); {@code null} if absent */
    static DatadogSpans find(ClassLoader loader) throws ReflectiveOperationException {
        Class<?> correlation = classNamed(CORRELATION, loader);
        if (correlation == null) {
            return null;
        }
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        MethodType text = MethodType.methodType(String.class);
        return new DatadogSpans(lookup.findStatic(correlation, "getTraceId", text),
                lookup.findStatic(correlation, "getSpanId", text));
    }

    @Override
    SpanIds read() throws Throwable {
        return SpanIds.checked((String) traceId.invokeExact(), (String) spanId.invokeExact());
    }

    @Override
    String name() {
        return "Datadog's tracer";
    }
}
