package dev.hostguard.agent.event;

import dev.hostguard.agent.context.RequestView;

/**
 * The HTTP request an operation served, or the message it handled, as far as events show it: never a header, a key
 * or a query string (the correlation ids are read from headers, but only as the ids they are checked to be).
 *
 * @param method the HTTP method; {@code null} for a message
 * @param path the path, without the query string; for a message {@code /<destination>} (its queue or topic)
 * @param clientIp the client's address; {@code null} for a message
 * @param trace its trace, span and request ids; {@code null} when none is known
 * @param context what kind of remote input it is ({@link RequestView#context()}): {@code request}, {@code grpc},
 *                {@code websocket} (a message of a session this request opened), {@code message}
 * @param messagingSystem for a message a consumer handles: {@code jms}, {@code kafka}, {@code rabbitmq}; {@code null} otherwise
 */
public record RequestInfo(String method, String path, String clientIp, TraceIds trace, String context,
                          String messagingSystem) {

    public RequestInfo(String method, String path, String clientIp) {
        this(method, path, clientIp, null, "request", null);
    }

    public RequestInfo(String method, String path, String clientIp, TraceIds trace) {
        this(method, path, clientIp, trace, "request", null);
    }

    /** The request or message {@code view} reads, as events show it. */
    public static RequestInfo of(RequestView view) {
        return new RequestInfo(view.method(), view.path(), view.clientIp(), null, view.context(),
                view.messagingSystem());
    }

    /** This request with {@code trace} as its ids. */
    public RequestInfo withTrace(TraceIds trace) {
        return trace == this.trace ? this
                : new RequestInfo(method, path, clientIp, trace, context, messagingSystem);
    }

    /** This request as the origin of {@code context} work (a WebSocket session's messages). */
    public RequestInfo withContext(String context) {
        return new RequestInfo(method, path, clientIp, trace, context, messagingSystem);
    }

    /** A message's queue or topic, as {@code messaging.destination.name}. */
    String destinationName() {
        return path != null && path.startsWith("/") ? path.substring(1) : path;
    }
}
