package dev.hostguard.agent.event;

import dev.hostguard.agent.context.RequestView;

/**
 * The HTTP request an operation served, as far as events show it: never a header, a key or a query string (the
 * correlation ids are read from headers, but only as the ids they are checked to be).
 *
 * @param method the HTTP method
 * @param path the path, without the query string
 * @param clientIp the client's address
 * @param trace its trace, span and request ids; {@code null} when none is known
 * @param context what kind of remote input it is ({@link RequestView#context()}): {@code request}, {@code grpc},
 *                {@code websocket} (a message of a session this request opened)
 */
public record RequestInfo(String method, String path, String clientIp, TraceIds trace, String context) {

    public RequestInfo(String method, String path, String clientIp) {
        this(method, path, clientIp, null, "request");
    }

    public RequestInfo(String method, String path, String clientIp, TraceIds trace) {
        this(method, path, clientIp, trace, "request");
    }

    /** The request {@code view} shows, read now. */
    public static RequestInfo of(RequestView view) {
        return new RequestInfo(view.method(), view.path(), view.clientIp(), null, view.context());
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
