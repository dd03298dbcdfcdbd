package dev.hostguard.agent.event;

/**
 * The HTTP request an operation served, as far as events show it: never a header, a key or a query string (the
 * correlation ids are read from headers, but only as the ids they are checked to be).
 *
 * @param method the HTTP method
 * @param path the path, without the query string
 * @param clientIp the client's address
 * @param trace its trace, span and request ids; {@code null} when none is known
 */
public record RequestInfo(String method, String path, String clientIp, TraceIds trace) {

    public RequestInfo(String method, String path, String clientIp) {
        this(method, path, clientIp, null);
    }

    /** This request with {@code trace} as its ids. */
    public RequestInfo withTrace(TraceIds trace) {
        return trace == this.trace ? this : new RequestInfo(method, path, clientIp, trace);
    }
}
