package dev.hostguard.agent.trace;

/** The trace and span a tracer has current: ids as the tracer spells them, checked to be plain hex or digits. */
public record SpanIds(String traceId, String spanId) {

    /** @return the ids when both are 1 to 32 lower-case hex digits and not all zeros (a tracer's "none"); else null */
    static SpanIds checked(String traceId, String spanId) {
        return id(traceId) && id(spanId) ? new SpanIds(traceId, spanId) : null;
    }

    private static boolean id(String id) {
        if (id == null || id.isEmpty() || id.length() > 32) {
            return false;
        }
        boolean zeros = true;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
            zeros &= c == '0';
        }
        return !zeros;
    }
}
