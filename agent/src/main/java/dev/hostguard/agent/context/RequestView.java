package dev.hostguard.agent.context;

/**
 * What the guard reads from the HTTP request an operation serves, whatever the server. Implementations read the
 * live request object at the moment of the operation, after the service's own authentication ran.
 */
public interface RequestView {

    String method();

    /** The path without the query string. */
    String path();

    String clientIp();

    /** The first value of a header, names compared case-insensitively; {@code null} when absent. */
    String header(String name);

    /** The raw (still percent-encoded) query string; {@code null} when absent. */
    String rawQuery();

    /** Whether the application or the container established a principal for this request. */
    boolean hasPrincipal();

    /** The principal, when the request has one (read only when a policy names API-key principals). */
    default java.security.Principal principal() {
        return null;
    }

    /** The servlet authentication scheme ({@code BASIC}, {@code FORM}, {@code CLIENT_CERT}, ...); may be null. */
    String authType();

    /** Whether the container verified a client certificate for this request. */
    boolean hasVerifiedClientCertificate();

    /**
     * Replaces the response with {@code status} and a body, if nothing was committed yet.
     *
     * @return whether the response was replaced
     */
    boolean respond(int status, String contentType, byte[] body) throws Exception;
}
