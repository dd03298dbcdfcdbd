package dev.hostguard.testapps.undertow;

import dev.hostguard.testapps.ops.HostOperations;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Map;
import java.util.concurrent.Future;
import org.xnio.XnioWorker;

/**
 * {@code /key/worker/<op>}: from a worker thread (after {@code exchange.dispatch(this)}), hands the operation to the
 * XNIO worker itself, an {@code ExecutorService} ({@code exchange.getConnection().getWorker().submit(...)}), and
 * waits for it ({@code Future.get}). Its pool is jboss-threads' {@code EnhancedQueueExecutor}, not a JDK
 * {@code ThreadPoolExecutor}. A failure propagates as the {@code ExecutionException}: Undertow answers 500.
 */
final class WorkerHandOverHandler implements HttpHandler {

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this);
            return;
        }
        exchange.startBlocking();
        String op = OperationHandler.op(exchange);
        Map<String, String> params = OperationHandler.params(exchange);
        XnioWorker worker = exchange.getConnection().getWorker();
        Future<String> result = worker.submit(() -> HostOperations.run(op, params));
        OperationHandler.answer(exchange, result.get());
    }
}
