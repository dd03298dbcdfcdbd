package datadog.trace.api;

/**
 * A stand-in for Datadog's tracer API of that name, with the two static methods its log correlation reads: the
 * real tracer is not on Maven Central at a size a unit test should download. {@code "0"} is its "no span".
 */
public final class CorrelationIdentifier {
    private static volatile String traceId = "0";
    private static volatile String spanId = "0";
    private static volatile RuntimeException failure;

    private CorrelationIdentifier() {
    }

    public static String getTraceId() {
        if (failure != null) {
            throw failure;
        }
        return traceId;
    }

    public static String getSpanId() {
        return spanId;
    }

    /** Test side: the span the tracer has current; {@code "0"}, {@code "0"} for none. */
    public static void current(String trace, String span) {
        traceId = trace;
        spanId = span;
    }

    /** Test side: the tracer fails when asked; {@code null}: it answers. */
    public static void failWith(RuntimeException e) {
        failure = e;
    }
}
