package dev.hostguard.agent.event;

/**
 * The HTTP request an operation served, as far as events show it: never a header, a key or a query string (the
 * correlation ids are read from headers, but only as the ids they are checked to be).
 *
 * @param method the HTTP method
 * @param path the path, without the query string
 * @param clientIp the client's address
 * @param trace its trace, span and request ids; {@code null} when none is known
 * @param context the kind of remote input the work serves when it is not the HTTP request itself (event field
 *                {@code hostguard.context}: {@code websocket}, a message of a session this request opened);
 *                {@code null} for the request and work handed over from it
 */
public record RequestInfo(String method, String path, String clientIp, TraceIds trace, String context) {

    public RequestInfo(String method, String path, String clientIp) {
        this(method, path, clientIp, null, null);
    }

    public RequestInfo(String method, String path, String clientIp, TraceIds trace) {
        this(method, path, clientIp, trace, null);
    }

    /** This request with {@code trace} as its ids. */
    public RequestInfo withTrace(TraceIds trace) {
        return trace == this.trace ? this : new RequestInfo(method, path, clientIp, trace, context);
    }

    /** This request as the origin of {@code context} work (a WebSocket session's messages). */
    public RequestInfo withContext(String context) {
        return new RequestInfo(method, path, clientIp, trace, context);
    }
}
