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

    /** The principal the application or the container established for this request; {@code null} when none. */
    java.security.Principal principal();

    /**
     * The authentication scheme the container reports ({@code BASIC}, {@code FORM}, {@code CLIENT_CERT}, ...);
     * {@code null} when it reports none.
     */
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
