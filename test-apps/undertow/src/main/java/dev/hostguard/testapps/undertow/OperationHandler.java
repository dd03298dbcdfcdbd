package dev.hostguard.testapps.undertow;

import dev.hostguard.testapps.ops.HostOperations;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs the route's operation ({@code {op}}) on an XNIO worker thread: the handler, called on the I/O thread,
 * dispatches itself there first ({@code exchange.dispatch(this)}, the idiom of Undertow's documentation for blocking
 * work), then answers with the operation's text. Whatever fails propagates to Undertow, which answers 500.
 */
final class OperationHandler implements HttpHandler {

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this);
            return;
        }
        exchange.startBlocking();
        answer(exchange, HostOperations.run(op(exchange), params(exchange)));
    }

    /** The route's {@code {op}}, which the {@code RoutingHandler} added to the query parameters. */
    static String op(HttpServerExchange exchange) {
        return params(exchange).get("op");
    }

    /** The first value of each query parameter (and path parameter). */
    static Map<String, String> params(HttpServerExchange exchange) {
        Map<String, String> params = new HashMap<>();
        for (Map.Entry<String, Deque<String>> parameter : exchange.getQueryParameters().entrySet()) {
            if (!parameter.getValue().isEmpty()) {
                params.put(parameter.getKey(), parameter.getValue().getFirst());
            }
        }
        return params;
    }

    static void answer(HttpServerExchange exchange, String text) {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=UTF-8");
        exchange.getResponseSender().send(text);
    }
}
