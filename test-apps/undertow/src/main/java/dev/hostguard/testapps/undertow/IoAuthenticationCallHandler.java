package dev.hostguard.testapps.undertow;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

/**
 * Authenticates on the thread it is called on, the I/O thread included, then calls {@code next}: Undertow's own
 * {@code AuthenticationCallHandler} first moves the request to a worker ({@code exchange.dispatch(this)}), since a
 * mechanism may block. The service-key mechanism compares a header and never blocks, so the routes that must stay
 * on the I/O thread ({@code /key/io}, {@code /key/dispatch}) authenticate here.
 */
final class IoAuthenticationCallHandler implements HttpHandler {
    private final HttpHandler next;

    IoAuthenticationCallHandler(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.getSecurityContext().authenticate()) {
            if (!exchange.isComplete()) {
                next.handleRequest(exchange);
            }
        } else {
            exchange.endExchange();
        }
    }
}
