package dev.hostguard.agent.trace;

/**
 * The request id header ({@code request-id-header}, {@code X-Request-Id} by default): its value goes into events as
 * {@code http.request.id} only as an id, at most {@value #MAX_LENGTH} characters of letters, digits and
 * {@code - _ . : / + = @}; any other value is left out whole, never cut or cleaned into something it was not.
 */
public final class RequestIds {
    public static final String DEFAULT_HEADER = "X-Request-Id";
    static final int MAX_LENGTH = 128;
    private static final int MAX_HEADER_NAME = 64;

    private RequestIds() {
    }

    /** @return {@code value} when it is an id as above (surrounding blanks stripped); else {@code null} */
    public static String clean(String value) {
        if (value == null) {
            return null;
        }
        String id = value.strip();
        if (id.isEmpty() || id.length() > MAX_LENGTH) {
            return null;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-_.:/+=@".indexOf(c) >= 0)) {
                return null;
            }
        }
        return id;
    }

    /**
     * @return why {@code name} cannot be the request id header (an HTTP field name: 1 to 64 token characters,
     *     RFC 9110), or {@code null} when it can
     */
    public static String headerNameProblem(String name) {
        if (name.isEmpty() || name.length() > MAX_HEADER_NAME) {
            return "expected an HTTP header name of 1 to " + MAX_HEADER_NAME + " characters";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0)) {
                return "'" + c + "' at position " + (i + 1) + " is not allowed in an HTTP header name";
            }
        }
        return null;
    }
}
