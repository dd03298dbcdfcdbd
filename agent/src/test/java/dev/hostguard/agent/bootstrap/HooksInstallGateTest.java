package dev.hostguard.agent.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * While the agent finishes installing on its start-up thread, a request waits at its entry: none is served before
 * the hooks and the handler are in place; a failed installation lets them go (fail open). Runs in a JVM of its
 * own, since the facade's handler is installed once.
 */
class HooksInstallGateTest {

    @Test
    void requestsWaitForTheInstallationAndGoOnWhenItIsDoneOrAbandoned() throws Exception {
        Hooks.installing();
        Thread first = enterRequest();
        awaitWaiting(first);
        Hooks.installAbandoned();
        first.join(10_000);
        assertFalse(first.isAlive(), "an abandoned installation lets the request go ahead");

        Hooks.installing();
        Thread second = enterRequest();
        awaitWaiting(second);
        HooksTest.ScriptedHandler handler = new HooksTest.ScriptedHandler();
        Hooks.install(handler);
        second.join(10_000);
        assertFalse(second.isAlive(), "the installed handler lets the request in");

        Hooks.installing(); // once installed, nothing waits any more
        CompletableFuture<Object> third = CompletableFuture.supplyAsync(() -> Hooks.requestEnter("r", "s"));
        assertTrue(third.get(10, TimeUnit.SECONDS) != null);
    }

    private static Thread enterRequest() {
        Thread thread = new Thread(() -> {
            Object token = Hooks.requestEnter("request", "response");
            Hooks.requestExit(token, null);
        }, "request");
        thread.start();
        return thread;
    }

    /** Until the thread waits on the facade (a condition, not a sleep: the test fails only by its timeout). */
    private static void awaitWaiting(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(Thread.State.TIMED_WAITING, thread.getState(), "the request waits for the installation");
    }
}
