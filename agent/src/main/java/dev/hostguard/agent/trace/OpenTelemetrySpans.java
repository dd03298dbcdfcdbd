package dev.hostguard.agent.trace;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * OpenTelemetry's current span through its API's {@code Span.current()}: the OpenTelemetry Java agent's own copy,
 * shaded under {@value #AGENT_PREFIX} in the boot class loader (where the agent's instrumentation reaches it, as
 * its {@code io.opentelemetry.javaagent.bootstrap.Java8BytecodeBridge} does; it holds the agent's context, which
 * the agent bridges the application's {@code io.opentelemetry.api} to), or the application's own API without the
 * agent (an SDK set up in code), in the application's class loader.
 */
final class OpenTelemetrySpans extends TracerSpans {
    static final String AGENT_PREFIX = "io.opentelemetry.javaagent.shaded.";
    private final String name;
    private final MethodHandle current;
    private final MethodHandle spanContext;
    private final MethodHandle valid;
    private final MethodHandle traceId;
    private final MethodHandle spanId;

    private OpenTelemetrySpans(String name, MethodHandle current, MethodHandle spanContext, MethodHandle valid,
                               MethodHandle traceId, MethodHandle spanId) {
        this.name = name;
        this.current = current;
        this.spanContext = spanContext;
        this.valid = valid;
        this.traceId = traceId;
        this.spanId = spanId;
    }

    /**
     * @param prefix {@value #AGENT_PREFIX} for the agent's copy, {@code ""} for the application's API
     * @return the API in {@code loader}; {@code null} when it is not there
     */
    static OpenTelemetrySpans find(String prefix, ClassLoader loader) throws ReflectiveOperationException {
        Class<?> span = classNamed(prefix + "io.opentelemetry.api.trace.Span", loader);
        Class<?> context = span == null ? null : classNamed(prefix + "io.opentelemetry.api.trace.SpanContext", loader);
        if (context == null) {
            return null;
        }
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        return new OpenTelemetrySpans(prefix.isEmpty() ? "the OpenTelemetry API" : "the OpenTelemetry Java agent",
                lookup.findStatic(span, "current", MethodType.methodType(span))
                        .asType(MethodType.methodType(Object.class)),
                lookup.findVirtual(span, "getSpanContext", MethodType.methodType(context))
                        .asType(MethodType.methodType(Object.class, Object.class)),
                lookup.findVirtual(context, "isValid", MethodType.methodType(boolean.class))
                        .asType(MethodType.methodType(boolean.class, Object.class)),
                lookup.findVirtual(context, "getTraceId", MethodType.methodType(String.class))
                        .asType(MethodType.methodType(String.class, Object.class)),
                lookup.findVirtual(context, "getSpanId", MethodType.methodType(String.class))
                        .asType(MethodType.methodType(String.class, Object.class)));
    }

    @Override
    SpanIds read() throws Throwable {
        Object context = (Object) spanContext.invokeExact((Object) current.invokeExact());
        return (boolean) valid.invokeExact(context)
                ? SpanIds.checked((String) traceId.invokeExact(context), (String) spanId.invokeExact(context)) : null;
    }

    @Override
    String name() {
        return name;
    }
}
