package dev.hostguard.testapps.boot3;

import dev.hostguard.testapps.ops.HostOperations;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /<mechanism>/<op>} runs a {@link HostOperations} operation on the request's thread;
 * {@code /key/async/<op>} in an {@code @Async} method, {@code /key/future/<op>} in
 * {@code CompletableFuture.supplyAsync} on the same executor. Whatever fails propagates: no handler turns an
 * exception into an answer, as in the controllers users write.
 */
@RestController
class OperationsController {
    private final AsyncOperations async;
    private final Executor executor;

    OperationsController(AsyncOperations async, @Qualifier(AsyncConfig.EXECUTOR) Executor executor) {
        this.async = async;
        this.executor = executor;
    }

    // the operations by name, so /<mechanism>/ws stays the WebSocket handler's (OperationsSocket)
    @GetMapping("/{mechanism:key|preauth|basic|form|jwt|anon}/{op:exec|environ|socket|benign|tamper}")
    String run(@PathVariable String op, @RequestParam Map<String, String> params) throws Exception {
        return HostOperations.run(op, params);
    }

    @GetMapping("/key/async/{op}")
    String runAsync(@PathVariable String op, @RequestParam Map<String, String> params) throws Exception {
        return async.run(op, params).get();
    }

    @GetMapping("/key/future/{op}")
    String runInFuture(@PathVariable String op, @RequestParam Map<String, String> params) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return HostOperations.run(op, params);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, executor).join();
    }
}
