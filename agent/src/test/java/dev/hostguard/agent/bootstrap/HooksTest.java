package dev.hostguard.agent.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The facade's control flow with a scripted handler (this test class runs in a JVM of its own). */
@SuppressWarnings("unchecked")
class HooksTest {
    static final ScriptedHandler HANDLER = new ScriptedHandler();

    @BeforeAll
    static void install() {
        Hooks.install(HANDLER);
    }

    @BeforeEach
    void reset() {
        HANDLER.judged.clear();
        HANDLER.answers = 0;
        HANDLER.committed = false;
        HANDLER.failures.clear();
    }

    @Test
    void outsideARequestTheHandlerIsNeverAsked() throws Exception {
        Hooks.processStart(new String[] {"blocked"}, null);
        assertEquals(List.of(), HANDLER.judged);
    }

    @Test
    void outsideRequestsAreJudgedOnlyWhenThePolicySaysSo() throws Exception {
        try {
            Hooks.judgeOutsideRequests(HANDLER, true, false);
            assertThrows(HostGuardBlockedException.class, () -> Hooks.processStart(new String[] {"blocked"}, null));
            Hooks.fileOpen("/etc/shadow", false);
            assertEquals(2, HANDLER.judged.size(), "both reached the handler: " + HANDLER.judged);
        } finally {
            Hooks.judgeOutsideRequests(HANDLER, false, false);
        }
        Hooks.processStart(new String[] {"blocked"}, null);
        assertEquals(2, HANDLER.judged.size(), "off again: the handler is not asked");
    }

    @Test
    void theRefusalIsAnsweredAtTheFirstOpenExitAndSwallowedOnlyAtTheOutermost() {
        Object outer = Hooks.requestEnter("request", "response");
        Object inner = Hooks.requestEnter("wrapped", "response");
        HostGuardBlockedException blocked = assertThrows(HostGuardBlockedException.class,
                () -> Hooks.processStart(new String[] {"blocked"}, null));
        IOException wrapped = new IOException("Cannot run program", blocked);

        assertSame(wrapped, Hooks.requestExit(inner, wrapped), "the application still sees its exception");
        assertEquals(1, HANDLER.answers);
        assertNull(Hooks.requestExit(outer, wrapped), "the server sends our answer, not an error page");
        assertEquals(1, HANDLER.answers, "answered once");
    }

    @Test
    void theRecordsAPollReturnedAreARequestUntilTheThreadsNextPoll() throws Exception {
        Hooks.pollStarts(); // no window open: nothing to end
        Hooks.recordsPolled("batch-1");
        Hooks.processStart(new String[] {"who"}, null);
        Hooks.pollStarts();
        Hooks.processStart(new String[] {"who"}, null); // between poll and return: outside requests, not judged
        Hooks.recordsPolled("batch-2");
        Hooks.processStart(new String[] {"who"}, null);
        Hooks.pollStarts(); // a close
        Hooks.processStart(new String[] {"who"}, null);
        assertEquals(List.of("who:batch-1", "who:batch-2"), HANDLER.judged);
    }

    @Test
    void aPollInsideARequestLeavesThatRequestInCharge() throws Exception {
        Object token = Hooks.requestEnter("request", "response");
        Hooks.recordsPolled("batch");
        Hooks.processStart(new String[] {"who"}, null);
        Hooks.pollStarts();
        Hooks.processStart(new String[] {"who"}, null);
        assertNull(Hooks.requestExit(token, null));
        Hooks.processStart(new String[] {"who"}, null);
        assertEquals(List.of("who:request", "who:request"), HANDLER.judged, "the poll neither took over nor ended it");
    }

    /** Work handed over that the handler refuses. */
    private static void refusedProcessStart() {
        try {
            Hooks.processStart(new String[] {"blocked"}, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aRefusalInWorkTheHandlerWaitsForIsTheRequestsToo() throws Exception {
        Object outer = Hooks.requestEnter("request", "response");
        Object inner = Hooks.requestEnter("wrapped", "response");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> work = pool.submit(Hooks.wrap(HooksTest::refusedProcessStart));
            ExecutionException failed = assertThrows(ExecutionException.class, work::get);
            Hooks.waitFailed(failed); // what the advice on Future.get does
            RuntimeException seen = new IllegalStateException("Request processing failed", failed);

            assertSame(seen, Hooks.requestExit(inner, seen), "the application still sees its exception");
            assertEquals(1, HANDLER.answers, "answered at the first open exit, as a refusal on this thread");
            assertNull(Hooks.requestExit(outer, seen), "the server sends our answer, not a 500");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRefusalInWorkNobodyWaitsForLeavesTheAnswerAlone() throws Exception {
        Object token = Hooks.requestEnter("request", "response");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> work = pool.submit(Hooks.wrap(HooksTest::refusedProcessStart));
            ExecutionException failed = assertThrows(ExecutionException.class, work::get); // done, not reported
            assertNull(Hooks.requestExit(token, null));
            assertEquals(0, HANDLER.answers, "the handler's own answer stands: " + failed);
            Hooks.waitFailed(failed);
            assertEquals(0, HANDLER.answers, "a wait outside any request changes nothing");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCommittedInnerExitLeavesTheAnswerToAnOuterOne() {
        Object outer = Hooks.requestEnter("request", "response");
        Object inner = Hooks.requestEnter("wrapped", "response");
        HostGuardBlockedException blocked = assertThrows(HostGuardBlockedException.class,
                () -> Hooks.processStart(new String[] {"blocked"}, null));
        HANDLER.committed = true;
        assertSame(blocked, Hooks.requestExit(inner, blocked));
        HANDLER.committed = false;
        assertNull(Hooks.requestExit(outer, blocked));
        assertEquals(1, HANDLER.answers);
    }

    @Test
    void anUnrelatedExceptionIsNeverSwallowed() {
        Object outer = Hooks.requestEnter("request", "response");
        assertThrows(HostGuardBlockedException.class, () -> Hooks.processStart(new String[] {"blocked"}, null));
        IllegalStateException other = new IllegalStateException("the application's own failure");
        assertSame(other, Hooks.requestExit(outer, other));
    }

    @Test
    void aCommittedResponseKeepsTheApplicationsExceptionAndTheScopeStillEnds() throws Exception {
        Object outer = Hooks.requestEnter("request", "response");
        HostGuardBlockedException blocked = assertThrows(HostGuardBlockedException.class,
                () -> Hooks.processStart(new String[] {"blocked"}, null));
        HANDLER.committed = true;
        assertSame(blocked, Hooks.requestExit(outer, blocked));
        Hooks.processStart(new String[] {"blocked"}, null);
        assertEquals(List.of("blocked"), HANDLER.judged, "outside the request again: not judged");
    }

    @Test
    void ourOwnFailuresLetTheOperationGoAheadAndAreCounted() throws Exception {
        long before = Hooks.failures();
        Object outer = Hooks.requestEnter("request", "response");
        Hooks.processStart(new String[] {"buggy"}, null);
        Hooks.processStart(new String[] {"buggy"}, null);
        assertNull(Hooks.requestExit(outer, null));
        assertEquals(before + 2, Hooks.failures());
        assertEquals(List.of("process-start", "process-start"), HANDLER.failures);
    }

    @Test
    void theConstructorDoesNotJudgeAStartThatStartAlreadyJudged() throws Exception {
        Object outer = Hooks.requestEnter("request", "response");
        Hooks.processStart(new String[] {"allowed"}, "/srv");
        Hooks.processConstruct("allowed\0".getBytes(), new byte[0], null);
        Hooks.processStartDone();
        Hooks.processConstruct("direct\0".getBytes(), "x\0".getBytes(), "/tmp\0".getBytes());
        Hooks.requestExit(outer, null);
        assertEquals(List.of("allowed", "direct x @/tmp"), HANDLER.judged);
    }

    @Test
    void fileHooksHandOverTheirPathInEveryShape() throws Exception {
        Object outer = Hooks.requestEnter("request", "response");
        Hooks.fileOpen("/etc/hostname", false);
        Hooks.fileOpen(java.nio.file.Path.of("/tmp/x"), true);
        Hooks.fileOpenAt(7, "rel".getBytes(java.nio.charset.StandardCharsets.UTF_8), false);
        Hooks.directoryList(java.nio.file.Path.of("/srv"));
        Hooks.directoryListAt(8, java.nio.file.Path.of("sub"));
        Hooks.unixConnect(java.nio.file.Path.of("/run/docker.sock"));
        assertEquals(false, Hooks.directoryListRefused(new java.io.File("/srv/ok")));
        assertEquals(true, Hooks.directoryListRefused(new java.io.File("/blocked")));
        assertNull(Hooks.requestExit(outer, null));
        assertEquals(List.of("0:-100:/etc/hostname", "1:-100:/tmp/x", "0:7:rel", "2:-100:/srv", "2:8:sub",
                "3:-100:/run/docker.sock", "2:-100:/srv/ok", "2:-100:/blocked"), HANDLER.judged);
        assertEquals(1, HANDLER.answers, "the refused java.io listing was answered like any refusal");
    }

    @Test
    void whatAServerMakesOfARequestDescribesItsLaterEntriesToo() {
        Object request = new Object();
        Object exchange = new Object();
        Hooks.requestDescribedBy(exchange);
        assertNull(Hooks.describedBy(request), "outside a request nothing is noted");
        Object head = Hooks.requestEnter(request, request);
        Hooks.requestDescribedBy(exchange);
        assertNull(Hooks.requestExit(head, null));
        Object chunk = Hooks.requestEnter(request, request);
        assertSame(exchange, Hooks.describedBy(request), "a later entry of the same request finds it");
        assertNull(Hooks.requestExit(chunk, null));
        assertNull(Hooks.describedBy(new Object()), "another request is described by nothing");
        assertNull(Hooks.describedBy(null));
    }

    @Test
    void aTaskHandedOverInARequestWorksForItAndNothingElseDoes() throws Exception {
        Runnable outside = () -> { };
        assertSame(outside, Hooks.wrap(outside), "outside a request a task is left as it is");
        Object outer = Hooks.requestEnter("request", "response");
        List<Object> seen = new ArrayList<>();
        Runnable wrapped = Hooks.wrap((Runnable) () -> seen.add(currentPropagated()));
        assertSame(wrapped, Hooks.wrap(wrapped), "never wrapped twice");
        assertNull(Hooks.requestExit(outer, null));

        Thread worker = new Thread(() -> {
            seen.add(currentPropagated());
            wrapped.run();
            seen.add(currentPropagated());
        });
        worker.start();
        worker.join();
        assertEquals(java.util.Arrays.asList(null, "captured:request", null), seen);
    }

    @Test
    void aWebSocketSessionsWorkIsItsGuardedHandshakesOnWhicheverThreadAndOnlyWhileTheServerHandsItOver()
            throws Exception {
        Object guardedSession = new Object();
        Object userSession = new Object();
        Object outside = new Object();
        Hooks.webSocketUpgraded(outside); // no request: nothing to carry
        Object handshake = Hooks.requestEnter("handshake", "response");
        Hooks.webSocketUpgraded(guardedSession);
        Hooks.requestExit(handshake, null);
        Object login = Hooks.requestEnter("user-handshake", "response");
        Hooks.webSocketUpgraded(userSession); // the handler carries nothing for it (a user's)
        Hooks.requestExit(login, null);

        List<Object> seen = new ArrayList<>();
        Thread connection = new Thread(() -> {
            for (Object session : new Object[] {guardedSession, userSession, outside}) {
                Object token = Hooks.webSocketMessageStarts(session);
                seen.add(currentPropagated());
                Hooks.taskEnded(token);
                seen.add(currentPropagated());
            }
        });
        connection.start();
        connection.join();
        assertEquals(java.util.Arrays.asList("websocket:handshake", null, null, null, null, null), seen);
    }

    @Test
    void aSessionThatReplacesItsHandshakesRequestWorksForItAndIsNoRequestOfItsOwn() throws Exception {
        Object guardedSession = new Object();
        Object userSession = new Object();
        Hooks.webSocketReplaced("handshake", guardedSession); // no request on this thread: the handshake is entered
        Hooks.webSocketReplaced("user-handshake", userSession);
        assertFalse(currentlyServing(), "the handshake's entry ended with the upgrade");

        List<Object> seen = new ArrayList<>();
        Thread eventLoop = new Thread(() -> {
            for (Object session : new Object[] {guardedSession, userSession}) {
                Object message = Hooks.webSocketMessageStarts(session);
                Object frame = Hooks.requestEnter(session, session); // the request's onInboundNext each frame passes
                seen.add(currentlyServing());
                seen.add(currentPropagated());
                Hooks.requestExit(frame, null);
                seen.add(currentPropagated());
                Hooks.taskEnded(message);
                seen.add(currentPropagated());
            }
        });
        eventLoop.start();
        eventLoop.join();
        assertEquals(java.util.Arrays.asList(false, "websocket:handshake", "websocket:handshake", null,
                false, null, null, null), seen);
    }

    @Test
    void aThreadStartedInARequestInheritsItUntilItsWorkerLoopStarts() throws Exception {
        Object outer = Hooks.requestEnter("request", "response");
        List<Object> seen = new ArrayList<>();
        Thread child = new Thread(() -> {
            seen.add(currentPropagated());
            Hooks.workerStarted();
            seen.add(currentPropagated());
        });
        Hooks.requestExit(outer, null);
        child.start();
        child.join();
        assertEquals(java.util.Arrays.asList("captured:request", null), seen);
    }

    @Test
    void anEntryInHandedOverWorkLeavesTheRestOfTheWorkToTheRequestAsItIsAtTheExit() throws Exception {
        Object outer = Hooks.requestEnter("request", "response");
        List<Object> seen = new ArrayList<>();
        Runnable work = Hooks.wrap((Runnable) () -> {
            seen.add(currentPropagated());
            Object entry = Hooks.requestEnter("exchange", "exchange");
            seen.add(currentPropagated());
            assertNull(Hooks.requestExit(entry, null));
            seen.add(currentPropagated());
        });
        assertNull(Hooks.requestExit(outer, null));
        assertNull(currentPropagated(), "the request's own thread keeps nothing");

        Thread worker = new Thread(() -> {
            work.run();
            seen.add(currentPropagated());
        });
        worker.start();
        worker.join();
        assertEquals(java.util.Arrays.asList("captured:request", null, "captured:exchange", null), seen,
                "handed over, serving (nothing propagated), the rest of the work as at the exit, nothing after it");
    }

    @Test
    void aLoginBeingLoadedIsReplacedAsTheHandlerSaysAndStandsWhenTheHandlerFails() {
        assertEquals("noting pending", Hooks.loginLoading("exchange", "pending"));
        assertEquals("other", Hooks.loginLoading("not a request", "other"), "the handler's null: it stands");
        assertEquals("pending", Hooks.loginLoading("buggy", "pending"), "our bug: it stands");
        assertEquals(List.of("login-loading"), HANDLER.failures);
    }

    @Test
    void aNettyScheduledTaskWorksForItsRequestEachRunAndIsForgottenWhenDone() throws Exception {
        java.util.concurrent.CompletableFuture<Void> outside = new java.util.concurrent.CompletableFuture<>();
        Hooks.eventExecutorTaskScheduled(outside);
        java.util.concurrent.CompletableFuture<Void> oneShot = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<Void> periodic = new java.util.concurrent.CompletableFuture<>();
        Object outer = Hooks.requestEnter("request", "response");
        Hooks.eventExecutorTaskScheduled(oneShot);
        Hooks.eventExecutorTaskScheduled(periodic);
        assertNull(Hooks.requestExit(outer, null));
        int remembered = Hooks.rememberedTasks();

        List<Object> seen = new ArrayList<>();
        Thread loop = new Thread(() -> {
            Object token = Hooks.eventExecutorTaskStarts(outside);
            seen.add(currentPropagated());
            Hooks.eventExecutorTaskEnded(outside, token);
            for (int run = 0; run < 2; run++) {
                token = Hooks.eventExecutorTaskStarts(periodic);
                seen.add(currentPropagated());
                Hooks.eventExecutorTaskEnded(periodic, token);
                seen.add(currentPropagated());
            }
            token = Hooks.eventExecutorTaskStarts(oneShot);
            seen.add(currentPropagated());
            oneShot.complete(null);
            Hooks.eventExecutorTaskEnded(oneShot, token);
            seen.add(currentPropagated());
        });
        loop.start();
        loop.join();
        assertEquals(java.util.Arrays.asList(null, "captured:request", null, "captured:request", null,
                "captured:request", null), seen, "scheduled outside: nothing; each run of the request's: the request, "
                + "nothing after it");
        assertEquals(remembered - 1, Hooks.rememberedTasks(), "the one-shot task, done, is forgotten; the periodic "
                + "one (not done) stays");
    }

    @SuppressWarnings("unchecked")
    private static boolean currentlyServing() {
        try {
            java.lang.reflect.Field scope = Hooks.class.getDeclaredField("SCOPE");
            scope.setAccessible(true);
            RequestScope s = ((ThreadLocal<RequestScope>) scope.get(null)).get();
            return s != null && s.serving();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Object currentPropagated() {
        try {
            java.lang.reflect.Field scope = Hooks.class.getDeclaredField("SCOPE");
            scope.setAccessible(true);
            RequestScope s = ((ThreadLocal<RequestScope>) scope.get(null)).get();
            return s == null ? null : s.propagated();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** Refuses {@code blocked}, fails on {@code buggy}, lets everything else go. */
    static final class ScriptedHandler implements HookHandler {
        final List<String> judged = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        int answers;
        boolean committed;

        @Override
        public void processStart(RequestScope scope, String[] command, String directory)
                throws HostGuardBlockedException {
            judged.add(command[0].equals("who") ? "who:" + scope.request() // which request the thread works for
                    : String.join(" ", command) + (directory == null || command[0].equals("allowed")
                    ? "" : " @" + directory));
            switch (command[0]) {
                case "blocked" -> throw new HostGuardBlockedException("refused", "process-start", "e-1");
                case "buggy" -> throw new IllegalStateException("a bug of ours");
                default -> {
                }
            }
        }

        @Override
        public void fileAccess(RequestScope scope, int operation, int directoryFd, String path)
                throws HostGuardBlockedException {
            judged.add(operation + ":" + directoryFd + ":" + path);
            if (path.startsWith("/blocked")) {
                throw new HostGuardBlockedException("refused", "credentials", "e-2");
            }
        }

        @Override
        public Object capture(RequestScope scope) {
            return "captured:" + scope.request();
        }

        @Override
        public Object webSocketHandshake(RequestScope scope, Object session) {
            return "handshake".equals(scope.request()) ? "websocket:" + scope.request() : null;
        }

        @Override
        public boolean answerBlocked(RequestScope scope, HostGuardBlockedException blocked) {
            if (committed) {
                return false;
            }
            answers++;
            return true;
        }

        @Override
        public Object refusalAnswer(Object request, HostGuardBlockedException refusal) {
            return refusal == null ? null : "403 for " + request;
        }

        @Override
        public Object loginLoading(Object request, Object pending) {
            return switch (String.valueOf(request)) {
                case "exchange" -> "noting " + pending;
                case "buggy" -> throw new IllegalStateException("a bug of ours");
                default -> null;
            };
        }

        @Override
        public void loginChecked(Object request, Object answer) {
            judged.add("login " + answer + " for " + request);
        }

        @Override
        public void hookFailed(String site, Throwable failure) {
            failures.add(site);
        }
    }
}
