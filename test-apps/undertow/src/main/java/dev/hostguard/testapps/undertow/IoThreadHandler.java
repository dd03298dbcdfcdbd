package dev.hostguard.testapps.undertow;

import dev.hostguard.testapps.ops.HostOperations;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

/**
 * {@code /key/io/<op>}, {@code /anon/io/<op>}: runs the operation on the I/O thread itself, as a handler that never
 * dispatches does (the operations are short). A failure propagates to Undertow, which answers 500.
 */
final class IoThreadHandler implements HttpHandler {

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        OperationHandler.answer(exchange, HostOperations.run(OperationHandler.op(exchange),
                OperationHandler.params(exchange)));
    }
}
