package dev.hostguard.testapps.boot3;

import dev.hostguard.testapps.ops.HostOperations;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Service;

/** The operations run by Spring's {@code @Async}, on {@link AsyncConfig}'s executor. */
@Service
class AsyncOperations {

    @Async
    public CompletableFuture<String> run(String op, Map<String, String> params) throws Exception {
        return CompletableFuture.completedFuture(HostOperations.run(op, params));
    }
}
