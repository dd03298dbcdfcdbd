package dev.hostguard.agent.trace;

/**
 * A W3C Trace Context {@code traceparent} header ({@code 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>}),
 * as the specification's parsing rules accept it: lower-case hex only, neither id all zeros, version {@code ff}
 * invalid; a later version may append fields after a {@code -}, which are ignored. Anything else is no trace.
 *
 * @param traceId the 32 lower-case hex digits of the trace id
 * @param parentId the 16 lower-case hex digits of the caller's span id
 */
public record TraceParent(String traceId, String parentId) {
    static final String HEADER = "traceparent";
    private static final int LENGTH = 55; // 2 + 1 + 32 + 1 + 16 + 1 + 2

    /** @return the header's ids; {@code null} when {@code header} is absent or not a valid {@code traceparent} */
    public static TraceParent parse(String header) {
        if (header == null) {
            return null;
        }
        String value = header.strip();
        if (value.length() < LENGTH || !hex(value, 0, 2) || value.startsWith("ff")
                || value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-'
                || !hex(value, 3, 35) || !hex(value, 36, 52) || !hex(value, 53, 55)) {
            return null;
        }
        boolean version00 = value.startsWith("00");
        if (version00 ? value.length() != LENGTH : value.length() > LENGTH && value.charAt(LENGTH) != '-') {
            return null;
        }
        if (zeros(value, 3, 35) || zeros(value, 36, 52)) {
            return null;
        }
        return new TraceParent(value.substring(3, 35), value.substring(36, 52));
    }

    private static boolean hex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean zeros(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }
}
