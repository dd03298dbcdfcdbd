package dev.hostguard.agent.trace;

import dev.hostguard.agent.context.RequestView;
import dev.hostguard.agent.event.TraceIds;

/**
 * The correlation ids of the request an event is written for: {@code trace.id} and {@code span.id} from the
 * current span of a tracer in this JVM on the deciding thread ({@link ActiveSpans}), else from the request's W3C
 * {@code traceparent} (its parent id as the span: the caller's span), and {@code http.request.id} from the header
 * the {@code request-id-header} option names. Headers are read only here, when an event is written (or when a
 * guarded request hands work over, which must carry them: the request object may be recycled by then).
 */
public final class RequestTrace {
    private final String requestIdHeader;
    /** Made with the first event (no class of it loaded at start-up). */
    private volatile ActiveSpans spans;

    /** @param requestIdHeader the header of the request id; {@link RequestIds#DEFAULT_HEADER} by default */
    public RequestTrace(String requestIdHeader) {
        this.requestIdHeader = requestIdHeader;
    }

    /** @return the ids the request's headers give; {@code null} when they give none (nothing allocated) */
    public TraceIds fromHeaders(RequestView request) {
        TraceParent parent = TraceParent.parse(request.header(TraceParent.HEADER));
        String requestId = RequestIds.clean(request.header(requestIdHeader));
        return parent == null && requestId == null ? null
                : new TraceIds(parent == null ? null : parent.traceId(), parent == null ? null : parent.parentId(),
                        requestId);
    }

    /**
     * @param headers the ids of the request's headers, or {@code null}
     * @return {@code headers} with the trace and span of the tracer's current span on this thread in place of the
     *     header's, when a tracer has one
     * @throws TracerFailure when a tracer failed (the ids of {@code headers} stand; it is not asked again)
     */
    public TraceIds withActiveSpan(TraceIds headers) throws TracerFailure {
        ActiveSpans tracers = spans;
        if (tracers == null) {
            synchronized (this) {
                if (spans == null) {
                    spans = new ActiveSpans();
                }
                tracers = spans;
            }
        }
        SpanIds span = tracers.current(Thread.currentThread().getContextClassLoader());
        if (span == null) {
            return headers;
        }
        return headers == null ? new TraceIds(span.traceId(), span.spanId(), null)
                : headers.withSpan(span.traceId(), span.spanId());
    }
}
