package dev.hostguard.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostguard.agent.bootstrap.HostGuardBlockedException;
import dev.hostguard.agent.bootstrap.Hooks;
import dev.hostguard.tasks.WorkTimerTask;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The agent attached to this JVM in block mode, driving servlets of both servlet APIs directly. Covers the javax
 * API, which the integration tests' servers (Jetty 12 ee10, the JDK HttpServer) do not use.
 */
class InProcessAgentTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path events;

    @BeforeAll
    static void attach() throws Exception {
        events = dir.resolve("events.jsonl");
        AgentMain.agentmain("mode=block,events=" + events, ByteBuddyAgent.install());
        assertEquals(null, Hooks.class.getClassLoader(), "the facade lives in the boot loader");
    }

    /** A servlet whose handler starts {@code touch <marker>}, for one servlet API. */
    interface ServletUnderTest {
        void serve(Object request, Object response) throws Exception;

        OutputStream outputStream(OutputStream sink);
    }

    static ServletUnderTest servlet(String api, Path marker) {
        return api.equals("jakarta") ? new JakartaServlets.Touching(marker) : new JavaxServlets.Touching(marker);
    }

    @ParameterizedTest
    @ValueSource(strings = {"jakarta", "javax"})
    void anApiKeyRequestCannotStartAProcessAndGets403(String api) throws Exception {
        Path marker = dir.resolve(api + "-api-key");
        FakeServletExchange exchange = new FakeServletExchange();
        exchange.headers.put("x-api-key", "k-" + api);
        ServletUnderTest servlet = servlet(api, marker);
        servlet.serve(exchange.request(api + ".servlet"),
                exchange.response(api + ".servlet", servlet.outputStream(exchange.body)));

        assertFalse(Files.exists(marker), "the process never ran");
        assertEquals(403, exchange.status);
        JsonNode body = JSON.readTree(exchange.body.toByteArray());
        JsonNode event = lastEvent();
        assertEquals(event.at("/event/id").asText(), body.get("event_id").asText());
        assertEquals("process-start", body.get("rule").asText());
        assertEquals("blocked", event.at("/hostguard/decision").asText());
        assertEquals("api-key", event.at("/hostguard/auth").asText());
        assertEquals(marker.toString(), event.at("/process/args/1").asText());
        assertEquals("/admin/run", event.at("/url/path").asText());
        assertFalse(Files.readString(events).contains("k-" + api), "the key is never written");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jakarta", "javax"})
    void aLoggedInUserRunsTheProcessWithoutEvent(String api) throws Exception {
        Path marker = dir.resolve(api + "-user");
        long before = eventCount();
        FakeServletExchange exchange = new FakeServletExchange();
        exchange.principal = () -> "ops";
        exchange.authType = "BASIC";
        ServletUnderTest servlet = servlet(api, marker);
        servlet.serve(exchange.request(api + ".servlet"),
                exchange.response(api + ".servlet", servlet.outputStream(exchange.body)));
        assertTrue(Files.exists(marker));
        assertEquals(200, exchange.status);
        assertEquals(before, eventCount());
    }

    @Test
    void outsideAnyRequestProcessesRunAndAreAtMostLogged() throws Exception {
        long before = eventCount();
        Path marker = dir.resolve("outside");
        assertEquals(0, new ProcessBuilder("touch", marker.toString()).start().waitFor());
        assertTrue(Files.exists(marker));
        assertAtMostLoggedOutsideRequests(before, "it ran outside any request");
    }

    @Test
    void theBlockExceptionReachesCodeThatCatchesItItself() throws Exception {
        Path marker = dir.resolve("caught");
        FakeServletExchange exchange = new FakeServletExchange();
        JakartaServlets.Catching servlet = new JakartaServlets.Catching(marker);
        servlet.service((jakarta.servlet.ServletRequest) exchange.request("jakarta.servlet"),
                (jakarta.servlet.ServletResponse) exchange.response("jakarta.servlet",
                        new JakartaServlets.Sink(exchange.body)));
        IOException caught = servlet.caught;
        assertTrue(caught.getCause() instanceof HostGuardBlockedException, String.valueOf(caught));
        assertEquals("none", lastEvent().at("/hostguard/auth").asText());
        assertEquals(403, exchange.status, "the uncommitted response is still replaced");
        assertFalse(Files.exists(marker));
    }

    @Test
    void aRequestThatThrowsStillEndsItsScope() throws Exception {
        FakeServletExchange exchange = new FakeServletExchange();
        JakartaServlets.Throwing servlet = new JakartaServlets.Throwing();
        jakarta.servlet.ServletRequest request = (jakarta.servlet.ServletRequest) exchange.request("jakarta.servlet");
        jakarta.servlet.ServletResponse response = (jakarta.servlet.ServletResponse) exchange.response(
                "jakarta.servlet", new JakartaServlets.Sink(exchange.body));
        assertThrows(IllegalStateException.class, () -> servlet.service(request, response));

        long before = eventCount();
        Path marker = dir.resolve("after-throw");
        assertEquals(0, new ProcessBuilder("touch", marker.toString()).start().waitFor());
        assertTrue(Files.exists(marker), "outside any request again: the process runs");
        assertAtMostLoggedOutsideRequests(before, "no event names the finished request");
    }

    /** A guarded request (no credentials) that hands {@code work} over; what the client got. */
    private static FakeServletExchange serve(JakartaServlets.Doing.Work work) throws Exception {
        return serve(new FakeServletExchange(), work);
    }

    private static FakeServletExchange serve(FakeServletExchange exchange, JakartaServlets.Doing.Work work)
            throws Exception {
        new JakartaServlets.Doing(work).service((jakarta.servlet.ServletRequest) exchange.request("jakarta.servlet"),
                (jakarta.servlet.ServletResponse) exchange.response("jakarta.servlet",
                        new JakartaServlets.Sink(exchange.body)));
        return exchange;
    }

    private static int touch(Path marker) throws IOException, InterruptedException {
        return new ProcessBuilder("touch", marker.toString()).start().waitFor();
    }

    private static boolean causedByRefusal(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof HostGuardBlockedException) {
                return true;
            }
        }
        return false;
    }

    private static void assertHandedOverAndBlocked(Path marker, long eventsBefore) throws IOException {
        assertFalse(Files.exists(marker), "the handed-over process never ran");
        assertEquals(eventsBefore + 1, eventCount());
        JsonNode event = lastEvent();
        assertEquals("propagated", event.at("/hostguard/context").asText());
        assertEquals(Thread.currentThread().getName(), event.at("/hostguard/submitter").asText());
        assertEquals("none", event.at("/hostguard/auth").asText());
        assertEquals(marker.toString(), event.at("/process/args/1").asText());
    }

    @Test
    void aThreadStartedInARequestWorksForIt() throws Exception {
        Path marker = dir.resolve("thread");
        long before = eventCount();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        serve(() -> {
            Thread t = new Thread(() -> {
                try {
                    touch(marker);
                } catch (Exception e) {
                    failure.set(e);
                }
            });
            t.start();
            t.join();
        });
        assertTrue(causedByRefusal(failure.get()), String.valueOf(failure.get()));
        assertHandedOverAndBlocked(marker, before);
    }

    @Test
    void executorsMadeBeforeTheRequestRunItsTasksForIt() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(1);
        java.util.concurrent.ScheduledExecutorService scheduler =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        java.util.concurrent.ForkJoinPool forkJoin = new java.util.concurrent.ForkJoinPool(2);
        try {
            pool.submit(() -> { }).get();
            scheduler.submit(() -> { }).get();
            for (String kind : List.of("pool", "scheduled", "fork-join", "completable-future")) {
                Path marker = dir.resolve("executor-" + kind);
                long before = eventCount();
                FakeServletExchange exchange = serve(() -> {
                    java.util.concurrent.Callable<Integer> task = () -> touch(marker);
                    java.util.concurrent.Future<Integer> result = switch (kind) {
                        case "pool" -> pool.submit(task);
                        case "scheduled" -> scheduler.schedule(task, 1, java.util.concurrent.TimeUnit.MILLISECONDS);
                        case "fork-join" -> forkJoin.submit(task);
                        default -> java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                            try {
                                return touch(marker);
                            } catch (Exception e) {
                                throw new java.util.concurrent.CompletionException(e);
                            }
                        });
                    };
                    Throwable thrown = assertThrows(java.util.concurrent.ExecutionException.class, result::get);
                    assertTrue(causedByRefusal(thrown), kind + ": " + thrown);
                });
                assertHandedOverAndBlocked(marker, before);
                assertEquals(403, exchange.status, kind + ": the handler waited for the refused work: the 403");
            }
        } finally {
            pool.shutdownNow();
            scheduler.shutdownNow();
            forkJoin.shutdownNow();
        }
    }

    /**
     * The default policy logs process starts outside requests once requests are served, so a logged-in user's work
     * handed to a pool or a new thread must carry the user's request: it runs with no event, where the same task
     * handed over outside any request is logged as outside-request work.
     */
    @Test
    void aLoggedInUsersHandOversWorkForTheUser() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(1);
        try {
            FakeServletExchange exchange = new FakeServletExchange();
            exchange.principal = () -> "ops";
            exchange.authType = "BASIC";
            Path pooled = dir.resolve("user-pool");
            Path threaded = dir.resolve("user-thread");
            long before = eventCount();
            serve(exchange, () -> {
                assertEquals(0, pool.submit(() -> touch(pooled)).get());
                int[] exit = {-1};
                Thread t = new Thread(() -> {
                    try {
                        exit[0] = touch(threaded);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                t.start();
                t.join();
                assertEquals(0, exit[0]);
            });
            assertTrue(Files.exists(pooled) && Files.exists(threaded), "the user's handed-over work ran");
            assertEquals(before, eventCount(), "and nothing judged it");

            Path outside = dir.resolve("user-pool-outside");
            assertEquals(0, pool.submit(() -> touch(outside)).get());
            assertEquals(before + 1, eventCount(), () -> "the same task outside any request: logged; events: " + eventsText());
            JsonNode event = lastEvent();
            assertEquals("outside-request", event.at("/hostguard/auth").asText());
            assertEquals("logged", event.at("/hostguard/decision").asText());
            assertEquals(outside.toString(), event.at("/process/args/1").asText());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPoolWorkerBornInARequestCarriesItIntoNoLaterTask() throws Exception {
        assertWorkerBornInARequestCarriesItIntoNoLaterTask(java.util.concurrent.Executors.newFixedThreadPool(1),
                "later-task");
    }

    /** The pool's one worker is created inside a request; a task handed over later, outside any, runs unjudged. */
    private void assertWorkerBornInARequestCarriesItIntoNoLaterTask(java.util.concurrent.ExecutorService pool,
                                                                    String markerName) throws Exception {
        try {
            serve(() -> pool.submit(() -> { }).get());   // the worker thread is created inside the request
            Path marker = dir.resolve(markerName);
            long before = eventCount();
            assertEquals(0, pool.submit(() -> touch(marker)).get());
            assertTrue(Files.exists(marker), "a task handed over outside any request runs");
            assertAtMostLoggedOutsideRequests(before, "nothing judged it as the earlier request's");
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Hand-overs reuse what the request's first one captured, but not past a change of its authentication on the
     * same request object: a form login after the key filter ran frees its work, a logout guards it again.
     */
    @Test
    void aLoginOrLogoutMidRequestChangesWhatLaterHandOversCarry() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(1);
        try {
            pool.submit(() -> { }).get();
            FakeServletExchange exchange = new FakeServletExchange();
            exchange.headers.put("x-api-key", "k-mid-chain");
            Path[] markers = {dir.resolve("mid-chain-key"), dir.resolve("mid-chain-login"),
                dir.resolve("mid-chain-logout")};
            int[] exits = new int[3];
            long before = eventCount();
            serve(exchange, () -> {
                for (int i = 0; i < 3; i++) {
                    if (i == 1) {
                        exchange.principal = () -> "ops";
                        exchange.authType = "FORM";
                    } else if (i == 2) {
                        exchange.principal = null;
                        exchange.authType = null;
                    }
                    Path marker = markers[i];
                    try {
                        exits[i] = pool.submit(() -> touch(marker)).get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        assertTrue(causedByRefusal(e), String.valueOf(e));
                        exits[i] = -1;
                    }
                }
            });
            assertEquals(-1, exits[0], "before the login: the key's request, refused");
            assertFalse(Files.exists(markers[0]));
            assertEquals(0, exits[1], "after the login: the user's request, free");
            assertTrue(Files.exists(markers[1]));
            assertEquals(-1, exits[2], "after the logout: the key's request again, refused");
            assertFalse(Files.exists(markers[2]));
            assertEquals(before + 2, eventCount());
            assertEquals("api-key", lastEvent().at("/hostguard/auth").asText());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPoolsQueueGivesBackTheTasksHandedOverInARequestAsTheyWere() throws Exception {
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0,
                java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>());
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try {
            pool.execute(() -> awaitQuietly(release));  // the only worker is busy: what follows stays queued
            Runnable removed = () -> { };
            Runnable drained = () -> { };
            serve(() -> {
                pool.execute(removed);
                pool.execute(drained);
            });
            assertEquals(2, pool.getQueue().size());
            assertTrue(pool.remove(removed), "remove finds a task handed over inside a request");
            assertFalse(pool.remove(removed), "once");
            List<Runnable> left = pool.shutdownNow();
            assertEquals(List.of(drained), left, "shutdownNow returns the task itself");
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aTimerTaskScheduledInARequestWorksForItAfterTheRequestEnded() throws Exception {
        java.util.Timer timer = new java.util.Timer("test-timer", true);
        try {
            Path marker = dir.resolve("timer");
            long before = eventCount();
            WorkTimerTask task = new WorkTimerTask(() -> touch(marker));
            serve(() -> timer.schedule(task, 50));
            Throwable thrown = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> task.outcome().get(10, java.util.concurrent.TimeUnit.SECONDS));
            assertTrue(causedByRefusal(thrown), String.valueOf(thrown));
            assertHandedOverAndBlocked(marker, before);
            assertEquals("test-timer", lastEvent().at("/thread/name").asText());
        } finally {
            timer.cancel();
        }
    }

    @Test
    void aTimerBornInARequestCarriesItIntoNoLaterTask() throws Exception {
        java.util.concurrent.atomic.AtomicReference<java.util.Timer> timer =
                new java.util.concurrent.atomic.AtomicReference<>();
        serve(() -> timer.set(new java.util.Timer("test-timer-born-in-request", true)));  // its thread inherits
        try {
            Path marker = dir.resolve("timer-later-task");
            long before = eventCount();
            WorkTimerTask task = new WorkTimerTask(() -> touch(marker));
            timer.get().schedule(task, 1);
            assertEquals(0, task.outcome().get(10, java.util.concurrent.TimeUnit.SECONDS));
            assertTrue(Files.exists(marker), "a timer task scheduled outside any request runs");
            assertAtMostLoggedOutsideRequests(before, "nothing judged it as the earlier request's");
        } finally {
            timer.get().cancel();
        }
    }

    @Test
    void forkedSubtasksWorkForTheRequestOnTheWorkersThatStealThem() throws Exception {
        for (String kind : List.of("fork", "parallel-stream", "pool-execute")) {
            Path marker = dir.resolve("fork-join-" + kind);
            long before = eventCount();
            java.util.concurrent.atomic.AtomicReference<Throwable> failure =
                    new java.util.concurrent.atomic.AtomicReference<>();
            serve(() -> {
                try {
                    switch (kind) {
                        case "fork" -> new ForkOnWorker(() -> touch(marker)).invoke();
                        case "parallel-stream" -> onAWorkerOfAParallelStream(() -> touch(marker));
                        default -> {
                            RunWork task = new RunWork(() -> touch(marker));
                            java.util.concurrent.ForkJoinPool.commonPool().execute(task);  // never joined here
                            task.outcome.get(10, java.util.concurrent.TimeUnit.SECONDS);
                        }
                    }
                } catch (RuntimeException | java.util.concurrent.ExecutionException e) {
                    failure.set(e);
                }
            });
            assertTrue(causedByRefusal(failure.get()), kind + ": " + failure.get());
            assertHandedOverAndBlocked(marker, before);
            assertTrue(lastEvent().at("/thread/name").asText().startsWith("ForkJoinPool.commonPool-worker-"),
                    kind + ": " + lastEvent());
        }
    }

    @Test
    void forkedTasksOutsideRequestsRunFreelyAndLeaveNothingBehind() throws Exception {
        Path marker = dir.resolve("fork-outside");
        long before = eventCount();
        new ForkOnWorker(() -> touch(marker)).invoke();
        assertTrue(Files.exists(marker));
        assertAtMostLoggedOutsideRequests(before, "it ran outside any request");
    }

    /** Forks a child that runs {@code work} and joins it only once a worker took it, so a worker runs it. */
    static final class ForkOnWorker extends java.util.concurrent.RecursiveAction {
        private final java.util.concurrent.Callable<?> work;

        ForkOnWorker(java.util.concurrent.Callable<?> work) {
            this.work = work;
        }

        @Override
        protected void compute() {
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.RecursiveAction child = new java.util.concurrent.RecursiveAction() {
                @Override
                protected void compute() {
                    started.countDown();
                    try {
                        work.call();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
            child.fork();
            awaitQuietly(started);
            child.join();
        }
    }

    /** Runs {@code work} and records its outcome, so nobody needs to join it. */
    static final class RunWork extends java.util.concurrent.RecursiveAction {
        private final java.util.concurrent.Callable<?> work;
        final java.util.concurrent.CompletableFuture<Object> outcome = new java.util.concurrent.CompletableFuture<>();

        RunWork(java.util.concurrent.Callable<?> work) {
            this.work = work;
        }

        @Override
        protected void compute() {
            try {
                outcome.complete(work.call());
            } catch (Throwable t) {
                outcome.completeExceptionally(t);
            }
        }
    }

    /** A parallel stream whose element 0 runs {@code work} on a pool worker while the others wait for it. */
    private static void onAWorkerOfAParallelStream(java.util.concurrent.Callable<?> work) {
        java.util.concurrent.CountDownLatch ranOnWorker = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean claimed = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.stream.IntStream.range(0, 8).parallel().forEach(i -> {
            if (Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread
                    && claimed.compareAndSet(false, true)) {
                try {
                    work.call();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                } finally {
                    ranOnWorker.countDown();
                }
            } else {
                awaitQuietly(ranOnWorker);
            }
        });
    }

    private static void awaitQuietly(java.util.concurrent.CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, java.util.concurrent.TimeUnit.SECONDS), "no pool worker took the work");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aForkJoinWorkerBornInARequestCarriesItIntoNoLaterTask() throws Exception {
        // a pool of its own: its workers inherit (the common pool's never do)
        assertWorkerBornInARequestCarriesItIntoNoLaterTask(new java.util.concurrent.ForkJoinPool(1),
                "fork-join-later-task");
    }

    @Test
    void theFacadeCannotBeInstalledTwice() {
        assertThrows(IllegalStateException.class, () -> Hooks.install(null));
    }

    /**
     * Every event since {@code before} is the default's log of an operation outside any request (process starts are
     * logged there once requests are served): none names a request, none refused anything.
     */
    private static void assertAtMostLoggedOutsideRequests(long before, String what) throws IOException {
        List<String> lines = Files.readAllLines(events);
        for (String line : lines.subList((int) before, lines.size())) {
            JsonNode event = JSON.readTree(line);
            assertEquals("outside-request", event.at("/hostguard/auth").asText(), what + ": " + line);
            assertEquals("logged", event.at("/hostguard/decision").asText(), what + ": " + line);
            assertTrue(event.at("/url").isMissingNode(), what + ": " + line);
        }
    }

    private static String eventsText() {
        try {
            return Files.exists(events) ? Files.readString(events) : "none";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static long eventCount() throws IOException {
        return Files.exists(events) ? Files.readAllLines(events).size() : 0;
    }

    private static JsonNode lastEvent() throws IOException {
        List<String> lines = Files.readAllLines(events);
        return JSON.readTree(lines.get(lines.size() - 1));
    }
}
