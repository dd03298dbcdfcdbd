package dev.hostguard.testapps.undertow;

import dev.hostguard.testapps.ops.HostOperations;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import java.util.Map;

/**
 * {@code /key/dispatch/<op>}: the handler, on the I/O thread, hands a {@code Runnable} to
 * {@code exchange.dispatch(Runnable)} and returns; Undertow runs it on an XNIO worker thread once the handler has
 * returned (not through its root-handler call: the runnable answers itself). A failure is answered by the runnable
 * with a 500 that names it, {@code {"error":"<exception>"}}: nobody else would end the exchange.
 */
final class DispatchedRunnableHandler implements HttpHandler {

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        String op = OperationHandler.op(exchange);
        Map<String, String> params = OperationHandler.params(exchange);
        exchange.dispatch(() -> {
            String result;
            try {
                result = HostOperations.run(op, params);
            } catch (Exception e) {
                exchange.setStatusCode(StatusCodes.INTERNAL_SERVER_ERROR);
                exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
                exchange.getResponseSender().send("{\"error\":\"" + json(e.toString()) + "\"}");
                return;
            }
            OperationHandler.answer(exchange, result);
        });
    }

    private static String json(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
