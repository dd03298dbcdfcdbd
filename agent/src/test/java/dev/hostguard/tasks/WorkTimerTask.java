package dev.hostguard.tasks;

import java.util.TimerTask;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * An application's {@code TimerTask}, outside the agent's own packages (which are never instrumented, and so could
 * not show that an application's timer task works for the request that scheduled it).
 */
public final class WorkTimerTask extends TimerTask {
    private final Callable<?> work;
    private final CompletableFuture<Object> outcome = new CompletableFuture<>();

    public WorkTimerTask(Callable<?> work) {
        this.work = work;
    }

    @Override
    public void run() {
        try {
            outcome.complete(work.call());
        } catch (Throwable t) {
            outcome.completeExceptionally(t);
        }
    }

    /** What the first run returned or threw. */
    public CompletableFuture<Object> outcome() {
        return outcome;
    }
}
