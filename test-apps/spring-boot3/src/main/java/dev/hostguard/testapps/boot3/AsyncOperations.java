package dev.hostguard.testapps.boot3;

import dev.hostguard.testapps.ops.HostOperations;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.stereotype.Service;

/** The operations run by Spring's {@code @Async}, on a pool of {@value #EXECUTOR} threads. */
@Service
class AsyncOperations {
    /** The executor's bean name, the one {@code @Async} looks for first. */
    static final String EXECUTOR = "taskExecutor";

    @Async
    public CompletableFuture<String> run(String op, Map<String, String> params) throws Exception {
        return CompletableFuture.completedFuture(HostOperations.run(op, params));
    }

    /** Two workers, started on demand: the first refused or logged task runs on a thread born inside a request. */
    @Bean(name = EXECUTOR)
    static ThreadPoolTaskExecutor taskExecutor() {
        ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
        executor.setCorePoolSize(2);
        executor.setThreadNamePrefix("work-");
        return executor;
    }
}
