package dev.hostguard.testapps.boot3;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * {@code @Async} on the app's own executor, which {@code /key/future} hands its work to as well: one pool whose
 * threads the tests recognise by name ({@code work-<n>}) in an event's {@code thread.name}.
 */
@Configuration
@EnableAsync
class AsyncConfig {
    /** The bean name {@code @Async} looks for when there is more than one executor. */
    static final String EXECUTOR = "taskExecutor";

    @Bean(name = EXECUTOR)
    ThreadPoolTaskExecutor taskExecutor() {
        ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
        executor.setCorePoolSize(2);
        executor.setThreadNamePrefix("work-");
        return executor;
    }
}
