package dev.hostguard.agent.event;

/**
 * The correlation ids an event carries for its request (ECS {@code trace.id}, {@code span.id},
 * {@code http.request.id}), each checked before it gets here; any may be {@code null}.
 */
public record TraceIds(String traceId, String spanId, String requestId) {

    /** These ids with the trace and span of an active tracer in place of this one's. */
    public TraceIds withSpan(String traceId, String spanId) {
        return new TraceIds(traceId, spanId, requestId);
    }
}
