package dev.hostguard.agent.bootstrap;

import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.ListIterator;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The only code advice calls. Every hook first asks "is this thread serving a request?" (one thread-local read;
 * on a thread that is not, one static read more: whether the policy judges outside requests, off by default),
 * then guards against reentrancy, then forwards to the installed {@link HookHandler}. Nothing but
 * {@link HostGuardBlockedException} ever leaves a hook: our own failures are counted and the operation goes ahead.
 */
public final class Hooks {
    /**
     * The scope of each thread. Inheritable: a thread started inside a request whose work the handler captures gets a scope of its own
     * that works for that request (captured as the thread is created); outside requests nothing is captured.
     */
    private static final ThreadLocal<RequestScope> SCOPE = new InheritableThreadLocal<>() {
        @Override
        protected RequestScope childValue(RequestScope parent) {
            Object context = capture(parent);
            if (context == null) {
                return null;
            }
            RequestScope child = new RequestScope();
            child.propagate(context);
            return child;
        }
    };
    /** Fork/join tasks handed over inside a request (what the handler captured), until they start. */
    private static final TaskContexts FORK_JOIN_TASKS = new TaskContexts();
    /** Timer tasks scheduled inside a request (what the handler captured): every run of one works for it. */
    private static final TaskContexts TIMER_TASKS = new TaskContexts();
    /** Netty's scheduled tasks ({@code ScheduledFutureTask}) scheduled inside a request (what the handler captured), until done. */
    private static final TaskContexts EVENT_EXECUTOR_TASKS = new TaskContexts();
    /**
     * The object each server request is described by where the server makes a new one for its application (Spring
     * WebFlux's exchange, made of Reactor Netty's request), by the server's request: weakly both ways.
     */
    private static final TaskContexts DESCRIBED = new TaskContexts();
    /**
     * The headers of each server request whose object does not keep them (grpc-java's {@code ServerCallImpl} and its
     * {@code Metadata}), by the request, weakly: the headers hold no reference back to it.
     */
    private static final TaskContexts HEADERS = new TaskContexts();
    /**
     * WebSocket sessions opened inside a request (what the handler captured), by their server's object for the session (Tomcat's upgrade
     * handler, Jetty's frame handler), to their handshake's snapshot: weakly, so a closed session takes its entry.
     */
    private static final TaskContexts WEB_SOCKET_SESSIONS = new TaskContexts();
    /**
     * Reactor Netty's objects for upgraded WebSocket connections, guarded or not: they are subclasses of its request
     * and each frame passes its request's {@code onInboundNext}, whose request entry they must not open (they are no
     * request: a session's frames work for its handshake, or for nothing). Empty until a WebFlux upgrade.
     */
    private static final TaskContexts REPLACED_BY_WEB_SOCKETS = new TaskContexts();
    /** What {@link #requestEnter} returns for an object that is no request: its exit leaves the scope alone. */
    private static final Object NOT_ENTERED = new Object();
    /** What a task's start returns when it changed nothing, so its end restores nothing. */
    private static final Object UNCHANGED = new Object();
    private static final AtomicLong FAILURES = new AtomicLong();
    private static final String[] FILE_SITES = {"file-read", "file-write", "directory-list", "unix-connect"};
    private static volatile HookHandler handler;
    /**
     * Whether operations outside any request are judged too (a policy's {@code outside-request: log|block}). Read
     * only by a thread that serves no request, after its thread-local said so: the one static read the guarded
     * hooks add when the policy leaves outside requests alone (the default).
     */
    private static volatile boolean outsideRequests;
    /**
     * Whether the container-escape operations outside any request are judged: process starts, native code, JVM
     * diagnostics (the default policy, raised once the service served its first request;
     * {@code PolicyEngine.logsOutsideEscapes}). Read only by those hooks, after their thread-local said no request.
     */
    private static volatile boolean outsideEscapes;
    /** While the agent finishes installing off the service's main thread, requests wait at their entry. */
    private static volatile boolean installing;
    /**
     * The handler {@link #install} installed, kept apart from {@link #handler}: what the agent's self-check compares
     * the live handler with, and what alone may change the facade's state once installed. Reflection cannot reach
     * either ({@link #accessRefused}); {@code sun.misc.Unsafe} can, and the self-check sees it.
     */
    private static final HookHandler[] INSTALLED = new HookHandler[1];
    /** Whether {@code ProcessImpl.start} ever ran in this JVM (its hook is then worth the self-check's canary). */
    private static boolean processStarts;
    /** Whether the self-check was asked to start (with the first request served). */
    private static volatile boolean selfCheckStarted;
    /** Where a thread keeps its thread-locals, {@link #SCOPE} among them (see {@link #threadLocalsAimedAt}). */
    private static final Class<?> THREAD_LOCAL_MAP = jdkClass("java.lang.ThreadLocal$ThreadLocalMap");
    private static final Class<?> THREAD_LOCAL_ENTRY = jdkClass("java.lang.ThreadLocal$ThreadLocalMap$Entry");
    private static final long INSTALL_WAIT_MILLIS = 60_000;

    private Hooks() {
    }

    /**
     * Says the agent is installing: from now until {@link #install} or {@link #installAbandoned}, a request
     * entering waits, so no request runs before every hook is in place and the handler is live.
     */
    public static synchronized void installing() {
        if (handler == null) {
            installing = true;
        }
    }

    /** Installs the handler once; a second call (from anyone) is refused. Lets waiting requests in. */
    public static synchronized void install(HookHandler h) {
        if (handler != null || INSTALLED[0] != null) {
            tampered("facade-call", "Hooks.install", "a second installation, refused");
            throw new IllegalStateException("HostGuard is already installed");
        }
        handler = h;
        INSTALLED[0] = h;
        installing = false;
        Hooks.class.notifyAll();
    }

    /** The installation failed: requests go ahead unguarded (fail open) rather than wait for ever. */
    public static synchronized void installAbandoned() {
        installing = false;
        Hooks.class.notifyAll();
    }

    /**
     * Waits for the installation; should it hang (our bug), requests go ahead unguarded after
     * {@link #INSTALL_WAIT_MILLIS} rather than the service stop answering.
     */
    private static synchronized void awaitInstalled() {
        boolean interrupted = false;
        long deadline = System.nanoTime() + INSTALL_WAIT_MILLIS * 1_000_000L;
        long left;
        while (installing && (left = deadline - System.nanoTime()) > 0) {
            try {
                Hooks.class.wait(Math.max(1, left / 1_000_000L));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (installing) {
            installing = false;
            System.err.println("[hostguard] ERROR the start-up did not finish in " + INSTALL_WAIT_MILLIS / 1000
                    + " s; requests go ahead unguarded");
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Turns judging operations outside any request on or off, before {@link #install}; once installed, only the
     * installed handler may ({@link #judgeOutsideRequests(HookHandler, boolean)}): a call from anyone else changes
     * nothing and is a {@code tamper} event.
     */
    public static void judgeOutsideRequests(boolean judge) {
        if (INSTALLED[0] != null) {
            tampered("facade-call", "Hooks.judgeOutsideRequests", "judge=" + judge + " after the installation, refused");
            return;
        }
        outsideRequests = judge;
    }

    /**
     * Turns judging operations outside any request on or off (each policy reload, the first request served), by the
     * installed handler only: {@code judge} every operation, or only the container-escape ones ({@code escapes}).
     */
    public static void judgeOutsideRequests(HookHandler by, boolean judge, boolean escapes) {
        if (by == null || by != INSTALLED[0]) {
            tampered("facade-call", "Hooks.judgeOutsideRequests", "judge=" + judge + " escapes=" + escapes
                    + " by another handler, refused");
            return;
        }
        outsideRequests = judge;
        outsideEscapes = escapes;
    }

    /**
     * The scope to judge an operation by on a thread that works for no request (outside requests are judged): the
     * thread's own, made once per thread, whose reentrancy flag keeps our own work from being judged.
     */
    private static RequestScope outsideScope(RequestScope scope) {
        if (scope == null) {
            scope = new RequestScope();
            SCOPE.set(scope);
        }
        return scope;
    }

    public static long failures() {
        return FAILURES.get();
    }

    // ---- request scope (servlet filters and servlets, JDK HttpServer filters and handlers) ----

    public static Object requestEnter(Object request, Object response) {
        if (installing) {
            awaitInstalled();
        }
        if (!REPLACED_BY_WEB_SOCKETS.isEmpty() && REPLACED_BY_WEB_SOCKETS.get(request) != null) {
            return NOT_ENTERED;
        }
        RequestScope scope = SCOPE.get();
        if (scope == null) {
            scope = new RequestScope();
            SCOPE.set(scope);
        }
        if (!selfCheckStarted) {
            firstRequest(); // whatever made this thread's scope before (work handed over, outside-request judging)
        }
        return scope.enter(request, response);
    }

    /**
     * Leaves a request entry. After a refusal, the client is answered at the first exit where the response is
     * still open (a forward, for one, closes the response before the outermost entry returns); the refusal's
     * exception then travels through the application as it would without us and is swallowed only at the
     * outermost entry, so the server sends our answer instead of an error page. An entry made inside work handed
     * over for a request (a framework that calls the handler on the worker it handed the request to, as WebFlux
     * after Reactor's hand-overs) leaves the rest of that work working for the request as it is at the exit, its
     * login included, no longer as it was when handed over.
     */
    public static Throwable requestExit(Object token, Throwable thrown) {
        RequestScope scope = SCOPE.get();
        if (scope == null || token == NOT_ENTERED) {
            return thrown;
        }
        Object rest = scope.endsInHandedOverWork(token) ? capture(scope) : null;
        if (!scope.exit(token)) {
            return thrown;
        }
        boolean ended = !scope.serving();
        HostGuardBlockedException blocked = scope.blocked();
        HookHandler h = handler;
        if (blocked == null || h == null) {
            if (ended) {
                end(scope, rest);
            }
            return thrown;
        }
        try {
            scope.busy = true;
            if (!scope.blockAnswered()) {
                scope.blockAnswered(h.answerBlocked(scope, blocked));
            }
            return ended && scope.blockAnswered() && causedBy(thrown, blocked) ? null : thrown;
        } catch (Throwable t) {
            failed(h, "request-exit", t);
            return thrown;
        } finally {
            scope.busy = false;
            if (ended) {
                end(scope, rest);
            }
        }
    }

    /** The request's entries ended: the thread goes on working for {@code rest} (nothing when {@code null}). */
    private static void end(RequestScope scope, Object rest) {
        scope.clear();
        if (rest != null) {
            scope.propagate(rest);
        }
    }

    // ---- polled message consumers (Kafka's KafkaConsumer, Spring AMQP's BlockingQueueConsumer) ----

    /**
     * A consumer's {@code poll} or {@code close} (Spring AMQP: {@code nextMessage} or {@code stop}) starts on this
     * thread: the work for the records (the message) its last poll here returned is over, and that message context
     * closes.
     */
    public static void pollStarts() {
        RequestScope scope = SCOPE.get();
        if (scope == null || scope.pollWindow == null) {
            return;
        }
        Object token = scope.pollWindow;
        scope.pollWindow = null;
        requestExit(token, null);
    }

    /**
     * A consumer's {@code poll} returned {@code records} (Spring AMQP: {@code nextMessage} a message; {@code null}:
     * nothing): this thread works for them until its next poll or close, as a request whose object is the batch. A poll made while the thread serves or works for a request already
     * (an HTTP handler that polls) leaves that request in charge: its caller asked for the records.
     */
    public static void recordsPolled(Object records) {
        RequestScope scope = SCOPE.get();
        if (records == null || scope != null && scope.active()) {
            return;
        }
        Object token = requestEnter(records, records);
        SCOPE.get().pollWindow = token;
    }

    /**
     * A wait for work failed ({@code Future.get}, {@code join}) on a thread serving a request. When the work was
     * refused, the handler now fails because of the refusal (an {@code ExecutionException} or
     * {@code CompletionException} whose cause it is), which a framework would answer with a 500: the refusal is the
     * request's own from here, answered with the 403 at its exit like one on the request's own thread. Work nobody
     * waits for leaves the request's answer alone.
     */
    public static void waitFailed(Throwable failure) {
        RequestScope scope = SCOPE.get();
        if (scope == null || !scope.serving() || scope.busy) {
            return;
        }
        try {
            scope.busy = true;
            HostGuardBlockedException refusal = refusalIn(failure);
            if (refusal != null) {
                scope.recordBlock(refusal);
            }
        } catch (Throwable t) {
            failed(handler, "wait-failed", t); // an application's getCause() that throws
        } finally {
            scope.busy = false;
        }
    }

    /**
     * A server about to answer a request after its handler ran (Micronaut): the 403 to answer instead, when the
     * failure it answers was caused by a refusal or the request kept one; {@code null}: its own answer stands.
     */
    public static Object refusalAnswer(Object request, Throwable failure) {
        HookHandler h = handler;
        if (h == null || request == null) {
            return null;
        }
        RequestScope scope = outsideScope(SCOPE.get());
        if (scope.busy) {
            return null;
        }
        try {
            scope.busy = true;
            return h.refusalAnswer(request, refusalIn(failure));
        } catch (Throwable t) {
            failed(h, "refusal-answer", t);
            return null;
        } finally {
            scope.busy = false;
        }
    }

    /** A server checked a login of {@code request} against its user store (micronaut-security's Authenticator). */
    public static void loginChecked(Object request, Object answer) {
        HookHandler h = handler;
        if (h == null || request == null || answer == null) {
            return;
        }
        RequestScope scope = outsideScope(SCOPE.get());
        if (scope.busy) {
            return;
        }
        try {
            scope.busy = true;
            h.loginChecked(request, answer);
        } catch (Throwable t) {
            failed(h, "login-checked", t);
        } finally {
            scope.busy = false;
        }
    }

    /**
     * A server is loading a login it kept for {@code request} between requests (Spring Security WebFlux's security
     * context in the {@code WebSession}); {@code pending} is its deferred result.
     *
     * @return what the server returns instead: {@code pending} itself, or a replacement that notes the login on the
     *         request once loaded ({@link #loginChecked})
     */
    public static Object loginLoading(Object request, Object pending) {
        HookHandler h = handler;
        if (h == null || request == null || pending == null) {
            return pending;
        }
        RequestScope scope = outsideScope(SCOPE.get());
        if (scope.busy) {
            return pending;
        }
        try {
            scope.busy = true;
            Object replacement = h.loginLoading(request, pending);
            return replacement != null ? replacement : pending;
        } catch (Throwable t) {
            failed(h, "login-loading", t);
            return pending;
        } finally {
            scope.busy = false;
        }
    }

    /** The refusal in {@code failure}'s causes (at most 16 deep: a cycle ends too); {@code null} when none. */
    private static HostGuardBlockedException refusalIn(Throwable failure) {
        for (int i = 0; failure != null && i < 16; i++, failure = failure.getCause()) {
            if (failure instanceof HostGuardBlockedException refusal) {
                return refusal;
            }
        }
        return null;
    }

    private static boolean causedBy(Throwable thrown, HostGuardBlockedException blocked) {
        for (int i = 0; thrown != null && i < 16; i++, thrown = thrown.getCause()) {
            if (thrown == blocked) {
                return true;
            }
        }
        return false;
    }

    /**
     * The server made {@code described}, the object its application sees, of the request this thread serves (Spring
     * WebFlux's exchange of a Reactor Netty request): every entry of that request, this one and later ones (its
     * body's chunks), is described by it ({@link #describedBy}).
     */
    public static void requestDescribedBy(Object described) {
        RequestScope scope = SCOPE.get();
        if (described == null || scope == null || !scope.serving() || scope.request() == null) {
            return;
        }
        try {
            DESCRIBED.put(scope.request(), new WeakReference<>(described));
        } catch (RuntimeException e) {
            failed(handler, "request-described", e);
        }
    }

    /** @return what {@link #requestDescribedBy} noted for the server's {@code request}; {@code null} when nothing */
    public static Object describedBy(Object request) {
        if (request == null || DESCRIBED.isEmpty()) {
            return null;
        }
        return DESCRIBED.get(request) instanceof WeakReference<?> described ? described.get() : null;
    }

    /**
     * A server made {@code request} from {@code headers} and keeps no reference to them (grpc-java's call of its
     * metadata): its views read them from here ({@link #headersOf}), whichever thread serves the request later.
     */
    public static void requestHeaders(Object request, Object headers) {
        if (request == null || headers == null || handler == null) {
            return;
        }
        try {
            HEADERS.put(request, headers);
        } catch (RuntimeException e) {
            failed(handler, "request-headers", e);
        }
    }

    /** @return what {@link #requestHeaders} noted for {@code request}; {@code null} when nothing */
    public static Object headersOf(Object request) {
        return request == null || HEADERS.isEmpty() ? null : HEADERS.get(request);
    }

    /**
     * An application stored {@code value} under {@code key} in a context of its server's own (grpc-java's
     * {@code Context.withValue}, as an authenticating interceptor does): a key whose value is a principal is
     * remembered, weakly, so the request's view can read the principal of the context current when an operation
     * happens ({@link #principalKeys}). Keys are few (constants), values many: only the {@code instanceof} per call.
     */
    public static void contextValue(Object key, Object value) {
        if (!(value instanceof java.security.Principal) || key == null) {
            return;
        }
        synchronized (Hooks.class) {
            WeakReference<?>[] known = principalKeys;
            for (WeakReference<?> k : known) {
                if (k.get() == key) {
                    return;
                }
            }
            WeakReference<?>[] more = Arrays.copyOf(known, known.length + 1);
            more[known.length] = new WeakReference<>(key);
            principalKeys = more;
        }
    }

    private static volatile WeakReference<?>[] principalKeys = new WeakReference<?>[0];

    /** {@link #contextValue} of each pair of {@code (key, value, key, value, ...)}. */
    public static void contextValues(Object[] pairs) {
        for (int i = 0; pairs != null && i + 1 < pairs.length; i += 2) {
            contextValue(pairs[i], pairs[i + 1]);
        }
    }

    /** @return the keys {@link #contextValue} saw a principal stored under (references; some may be cleared) */
    public static WeakReference<?>[] principalKeys() {
        WeakReference<?>[] known = principalKeys;
        return known.length == 0 ? known : known.clone();
    }

    // ---- hand-overs: tasks and threads work for the request that handed them over ----

    /** Wraps a task handed to an executor inside a request, so it runs working for that request ({@link HookHandler#capture}). */
    public static Runnable wrap(Runnable task) {
        if (task == null || task instanceof ContextRunnable) {
            return task;
        }
        RequestScope scope = SCOPE.get();
        if (scope == null || !scope.active()) {
            return task;
        }
        Object context = capture(scope);
        return context == null ? task : new ContextRunnable(task, context);
    }

    /** As {@link #wrap(Runnable)}, for tasks that return a value. */
    public static <T> Callable<T> wrap(Callable<T> task) {
        if (task == null || task instanceof ContextCallable) {
            return task;
        }
        RequestScope scope = SCOPE.get();
        if (scope == null || !scope.active()) {
            return task;
        }
        Object context = capture(scope);
        return context == null ? task : new ContextCallable<>(task, context);
    }

    /**
     * {@code ThreadPoolExecutor.remove(task)} found nothing in the queue: a task handed over inside a guarded
     * request waits there in our wrapper, which only that task's own {@code equals} could have matched.
     *
     * @return whether the wrapper of {@code task} was found and removed
     */
    public static boolean removeWrapped(Collection<Runnable> queue, Object task) {
        if (task == null || queue == null) {
            return false;
        }
        try {
            for (Runnable queued : queue) {
                if (queued instanceof ContextRunnable wrapper && task.equals(wrapper.task())) {
                    return queue.remove(wrapper);
                }
            }
        } catch (RuntimeException e) {
            failed(handler, "thread-pool-remove", e);
        }
        return false;
    }

    /** {@code ThreadPoolExecutor.shutdownNow()}: hands back the tasks as the application handed them over. */
    public static void unwrapAll(List<Runnable> tasks) {
        if (tasks == null) {
            return;
        }
        try {
            for (ListIterator<Runnable> i = tasks.listIterator(); i.hasNext();) {
                if (i.next() instanceof ContextRunnable wrapper) {
                    i.set(wrapper.task());
                }
            }
        } catch (RuntimeException e) {
            failed(handler, "thread-pool-shutdown-now", e);
        }
    }

    /**
     * A pool's worker loop starts. A worker created inside a request inherited that request; its tasks carry their
     * own context instead, so the worker itself must work for none.
     */
    public static void workerStarted() {
        RequestScope scope = SCOPE.get();
        if (scope != null && !scope.serving()) {
            scope.propagate(null);
        }
    }

    /**
     * A fork/join task is handed over: forked ({@code ForkJoinTask.fork}, which parallel streams use) or submitted
     * to a pool. It cannot be wrapped (it is joined, and is its own {@code Future}), so the context goes into a side
     * table until the task starts.
     */
    public static void forkJoinTaskHandedOver(Object task) {
        remember(FORK_JOIN_TASKS, task);
    }

    /**
     * A fork/join task starts ({@code ForkJoinTask.doExec}, wherever it runs: a worker that stole it, or the
     * thread that joins it). One handed over inside a request works for it; any other keeps what the running
     * thread works for (a task a propagated task runs inline is part of that work).
     *
     * @return what {@link #taskEnded} needs
     */
    public static Object forkJoinTaskStarts(Object task) {
        if (FORK_JOIN_TASKS.isEmpty()) {
            return UNCHANGED;
        }
        return enterTask(FORK_JOIN_TASKS.remove(task));
    }

    /** A {@code TimerTask} is scheduled ({@code Timer.sched}, which every {@code schedule*} reaches). */
    public static void timerTaskScheduled(Object task) {
        remember(TIMER_TASKS, task);
    }

    /**
     * A {@code TimerTask}'s {@code run} starts. The entry stays (a periodic task runs again); it goes with the task.
     *
     * @return what {@link #taskEnded} needs
     */
    public static Object timerTaskStarts(Object task) {
        if (TIMER_TASKS.isEmpty()) {
            return UNCHANGED;
        }
        return enterTask(TIMER_TASKS.get(task));
    }

    /**
     * A task is scheduled on a Netty event executor ({@code AbstractScheduledEventExecutor.schedule}, which every
     * {@code schedule*} reaches). From the executor's own thread it goes straight into the scheduled queue, never
     * through {@code execute}, and the executor runs it itself, so it cannot be wrapped: it is remembered.
     */
    public static void eventExecutorTaskScheduled(Object task) {
        remember(EVENT_EXECUTOR_TASKS, task);
    }

    /**
     * A Netty scheduled task's {@code run} starts (on the executor's thread, once its delay is over; each period
     * of a periodic one).
     *
     * @return what {@link #eventExecutorTaskEnded} needs
     */
    public static Object eventExecutorTaskStarts(Object task) {
        if (EVENT_EXECUTOR_TASKS.isEmpty()) {
            return UNCHANGED;
        }
        return enterTask(EVENT_EXECUTOR_TASKS.get(task));
    }

    /** A task {@link #eventExecutorTaskStarts} saw ended: done (not periodic, or cancelled), it is forgotten. */
    public static void eventExecutorTaskEnded(Object task, Object token) {
        if (token == UNCHANGED) {
            return;
        }
        propagatedExit(token);
        if (task instanceof java.util.concurrent.Future<?> future && future.isDone()) {
            EVENT_EXECUTOR_TASKS.remove(task);
        }
    }

    /** A task that {@link #forkJoinTaskStarts} or {@link #timerTaskStarts} saw ended, normally or not. */
    public static void taskEnded(Object token) {
        if (token != UNCHANGED) {
            propagatedExit(token);
        }
    }

    /**
     * A WebSocket upgrade inside a request ({@code WebSocketHooks}): the session's messages will work for this
     * handshake request, so its classification is taken now, while the request is live (a servlet container
     * recycles it after the upgrade).
     *
     * @param session the server's object for the session, the one its message dispatches pass to
     *                {@link #webSocketMessageStarts}
     */
    public static void webSocketUpgraded(Object session) {
        RequestScope scope = SCOPE.get();
        if (scope == null || !scope.serving() || scope.busy || session == null) {
            return;
        }
        HookHandler h = handler;
        if (h == null) {
            return;
        }
        scope.busy = true;
        try {
            Object context = h.webSocketHandshake(scope, session);
            if (context != null) {
                WEB_SOCKET_SESSIONS.put(session, context);
            }
        } catch (Throwable t) {
            failed(h, "websocket-upgrade", t);
        } finally {
            scope.busy = false;
        }
    }

    /**
     * The server made the session's object from the handshake's ({@code handshake}, the key {@link
     * #webSocketUpgraded} was given; Vert.x makes its WebSocket later, from the request): the session works for that
     * snapshot, which refusals now close through {@code session}.
     */
    public static void webSocketAccepted(Object handshake, Object session) {
        if (WEB_SOCKET_SESSIONS.isEmpty() || handshake == null || session == null) {
            return;
        }
        HookHandler h = handler;
        Object context = WEB_SOCKET_SESSIONS.get(handshake);
        if (h == null || context == null) {
            return;
        }
        try {
            h.webSocketAccepted(context, session);
            WEB_SOCKET_SESSIONS.put(session, context);
        } catch (Throwable t) {
            failed(h, "websocket-accept", t);
        }
    }

    /**
     * A WebSocket upgrade where the server replaces the handshake's request by its object for the session (Reactor
     * Netty, {@code WebSocketHooks}), on whatever thread the application's chain reached the upgrade, maybe one
     * working for the request after a hand-over: the handshake is entered as the live request while it is
     * classified ({@link #webSocketUpgraded(Object)}), and the session's object is no request from now on.
     */
    public static void webSocketReplaced(Object handshake, Object session) {
        if (handshake == null || session == null) {
            return;
        }
        REPLACED_BY_WEB_SOCKETS.put(session, Boolean.TRUE);
        Object token = requestEnter(handshake, handshake);
        try {
            webSocketUpgraded(session);
        } finally {
            requestExit(token, null);
        }
    }

    /**
     * The server hands the session's endpoint something to handle (its opening, a frame or message, an error, its
     * closing): it works for the handshake, when that was guarded.
     *
     * @return what {@link #taskEnded} needs
     */
    public static Object webSocketMessageStarts(Object session) {
        if (WEB_SOCKET_SESSIONS.isEmpty()) {
            return UNCHANGED;
        }
        return enterTask(WEB_SOCKET_SESSIONS.get(session));
    }

    /** Whether this thread runs work handed over inside a request (tests, benchmarks, diagnostics). */
    public static boolean propagating() {
        RequestScope scope = SCOPE.get();
        return scope != null && scope.propagated() != null;
    }

    /** How many tasks the side tables hold (tests and diagnostics). */
    static int rememberedTasks() {
        return FORK_JOIN_TASKS.size() + TIMER_TASKS.size() + EVENT_EXECUTOR_TASKS.size();
    }

    private static void remember(TaskContexts table, Object task) {
        RequestScope scope = SCOPE.get();
        if (scope == null || !scope.active() || task == null) {
            return;
        }
        Object context = capture(scope);
        if (context != null) {
            table.put(task, context);
        }
    }

    private static Object enterTask(Object context) {
        return context == null ? UNCHANGED : propagatedEnter(context);
    }

    static Object propagatedEnter(Object context) {
        RequestScope scope = SCOPE.get();
        if (scope == null) {
            scope = new RequestScope();
            SCOPE.set(scope);
        }
        return scope.propagate(context);
    }

    static void propagatedExit(Object previous) {
        RequestScope scope = SCOPE.get();
        if (scope != null) {
            scope.propagate(previous);
        }
    }

    /** What a hand-over carries: the handler's snapshot of the request, or {@code null} when nothing needs it. */
    private static Object capture(RequestScope scope) {
        if (scope == null || !scope.active() || scope.busy) {
            return null;
        }
        HookHandler h = handler;
        if (h == null) {
            return null;
        }
        scope.busy = true;
        try {
            return h.capture(scope);
        } catch (Throwable t) {
            failed(h, "capture", t);
            return null;
        } finally {
            scope.busy = false;
        }
    }

    // ---- process start ----

    /** {@code ProcessImpl.start}: every public way to start a process ends here. */
    public static void processStart(String[] command, String directory) throws HostGuardBlockedException {
        processStarts = true;
        RequestScope scope = SCOPE.get();
        if (scope == null || !scope.active()) {
            if (!outsideRequests && !outsideEscapes) {
                return;
            }
            scope = outsideScope(scope);
        }
        if (scope.busy) {
            return;
        }
        scope.processStartJudged = judgeProcessStart(scope, command, directory, null, null, null);
    }

    /** {@code ProcessImpl.start} returned or threw. */
    public static void processStartDone() {
        RequestScope scope = SCOPE.get();
        if (scope != null) {
            scope.processStartJudged = false;
        }
    }

    /**
     * The {@code ProcessImpl} constructor: the second line, reached directly only by reflection into
     * {@code java.lang} (apps run with {@code --add-opens java.base/java.lang}). Arguments arrive as the
     * NUL-terminated byte blocks the constructor takes.
     */
    public static void processConstruct(byte[] program, byte[] argBlock, byte[] directory)
            throws HostGuardBlockedException {
        RequestScope scope = SCOPE.get();
        if (scope == null || !scope.active()) {
            if (!outsideRequests && !outsideEscapes) {
                return;
            }
            scope = outsideScope(scope);
        }
        if (scope.busy || scope.processStartJudged) {
            return;
        }
        judgeProcessStart(scope, null, null, program, argBlock, directory);
    }

    /**
     * Asks the handler about a process start given either as strings or as the constructor's byte blocks.
     *
     * @return whether the handler judged it and let it go
     */
    private static boolean judgeProcessStart(RequestScope scope, String[] command, String directory,
                                             byte[] program, byte[] argBlock, byte[] directoryBytes)
            throws HostGuardBlockedException {
        HookHandler h = handler;
        if (h == null) {
            return false;
        }
        scope.busy = true;
        try {
            if (command == null) {
                command = commandOf(program, argBlock);
                directory = cString(directoryBytes);
            }
            h.processStart(scope, command, directory);
            return true;
        } catch (HostGuardBlockedException e) {
            scope.recordBlock(e);
            throw e;
        } catch (Throwable t) {
            failed(h, program == null ? "process-start" : "process-construct", t);
            return false;
        } finally {
            scope.busy = false;
        }
    }

    // ---- files, directory listings, Unix sockets ----

    /**
     * A java.io open ({@code FileInputStream}, {@code FileOutputStream}, {@code RandomAccessFile}: a String) or an
     * NIO open ({@code UnixNativeDispatcher.open}: a {@code UnixPath}, only turned into a String inside a request).
     */
    public static void fileOpen(Object path, boolean write) throws HostGuardBlockedException {
        judgeFile(write ? HookHandler.FILE_WRITE : HookHandler.FILE_READ, HookHandler.AT_FDCWD, path);
    }

    /** Linux open flags: {@code O_ACCMODE} (any bit: written), {@code O_CREAT}, {@code O_TRUNC}. */
    private static final int O_ACCMODE = 3;
    private static final int O_CREAT = 0x40;
    private static final int O_TRUNC = 0x200;

    /**
     * An open about to happen, with its Linux flags (java.io passes {@code 0} for a read, {@code 2} for a
     * read-write {@code RandomAccessFile}). An open with effects at open time (written, created, truncated) is
     * judged now, as {@link #fileOpen}; a read-only one is judged now only when its path, as spelled, names a rule,
     * else after the open on what the kernel opened ({@link #fileOpened}, {@link #streamOpened}).
     *
     * @return whether the descriptor the open makes is to be judged ({@link #fileOpened}'s first argument)
     */
    public static boolean fileOpening(Object path, int flags) throws HostGuardBlockedException {
        if ((flags & (O_ACCMODE | O_CREAT | O_TRUNC)) != 0) {
            judgeFile((flags & O_ACCMODE) != 0 ? HookHandler.FILE_WRITE : HookHandler.FILE_READ,
                    HookHandler.AT_FDCWD, path);
            return false;
        }
        return judgeReadOpening(HookHandler.AT_FDCWD, path);
    }

    /** {@link #fileOpening} for {@code UnixNativeDispatcher.openat}: a path relative to an open directory. */
    public static boolean fileOpeningAt(int directoryFd, byte[] path, int flags) throws HostGuardBlockedException {
        if ((flags & (O_ACCMODE | O_CREAT | O_TRUNC)) != 0) {
            judgeFile((flags & O_ACCMODE) != 0 ? HookHandler.FILE_WRITE : HookHandler.FILE_READ, directoryFd, path);
            return false;
        }
        return judgeReadOpening(directoryFd, path);
    }

    /**
     * NIO's open returned descriptor {@code fd}: judged when {@link #fileOpening} said so, before any byte is read;
     * a refused descriptor is closed before the refusal is thrown.
     */
    public static void fileOpened(boolean judge, int fd, int directoryFd, Object path)
            throws HostGuardBlockedException {
        if (judge) {
            judgeOpened(fd, null, directoryFd, path);
        }
    }

    /**
     * A java.io stream's open returned ({@code FileInputStream}, {@code RandomAccessFile}): its descriptor judged when
     * {@link #fileOpening} said so; a refused one is closed (the stream's constructor then throws, so nothing holds
     * the stream).
     */
    public static void streamOpened(boolean judge, Object stream, Object path) throws HostGuardBlockedException {
        if (judge) {
            java.io.FileDescriptor descriptor = null;
            try {
                descriptor = stream instanceof java.io.FileInputStream in ? in.getFD()
                        : stream instanceof java.io.RandomAccessFile file ? file.getFD() : null;
            } catch (java.io.IOException noDescriptor) {
                // not opened after all: nothing to judge
            }
            if (descriptor != null) {
                judgeOpened(-1, descriptor, HookHandler.AT_FDCWD, path);
            }
        }
    }

    private static boolean judgeReadOpening(int directoryFd, Object path) throws HostGuardBlockedException {
        RequestScope scope = SCOPE.get();
        if (scope == null || !scope.active()) {
            if (!outsideRequests) {
                return false;
            }
            scope = outsideScope(scope);
        }
        if (scope.busy) {
            return false;
        }
        HookHandler h = handler;
        if (h == null) {
            return false;
        }
        scope.busy = true;
        try {
            return h.fileReadOpening(scope, directoryFd, pathText(path));
        } catch (HostGuardBlockedException e) {
            scope.recordBlock(e);
            throw e;
        } catch (Throwable t) {
            failed(h, "file-read", t);
            return false;
        } finally {
            scope.busy = false;
        }
    }

    private static void judgeOpened(int fd, java.io.FileDescriptor descriptor, int directoryFd, Object path)
            throws HostGuardBlockedException {
        RequestScope scope = SCOPE.get();
        if (scope == null || !scope.active()) {
            if (!outsideRequests) {
                return;
            }
            scope = outsideScope(scope);
        }
        HookHandler h = handler;
        if (scope.busy || h == null) {
            return;
        }
        scope.busy = true;
        int number = fd;
        try {
            if (descriptor != null) {
                number = h.descriptorNumber(descriptor);
            }
            h.fileReadOpened(scope, number, directoryFd, pathText(path));
        } catch (HostGuardBlockedException e) {
            h.closeDescriptor(number);
            scope.recordBlock(e);
            throw e;
        } catch (Throwable t) {
            failed(h, "file-read-opened", t);
        } finally {
            scope.busy = false;
        }
    }

    /** A path as the JDK has it (a String, a {@code File}, a {@code UnixPath}, an {@code *at} call's bytes) as text. */
    private static String pathText(Object path) {
        return path instanceof String text ? text : path instanceof byte[] bytes
                ? new String(bytes, StandardCharsets.UTF_8) : path instanceof java.io.File file
                ? file.getPath() : String.valueOf(path);
    }

    /** {@code UnixNativeDispatcher.openat}: a path relative to an open directory. */
    public static void fileOpenAt(int directoryFd, byte[] path, boolean write) throws HostGuardBlockedException {
        judgeFile(write ? HookHandler.FILE_WRITE : HookHandler.FILE_READ, directoryFd, path);
    }

    /** An NIO listing: {@code Files.list}, {@code newDirectoryStream}, {@code walk}, ... */
    public static void directoryList(Object path) throws HostGuardBlockedException {
        judgeFile(HookHandler.DIRECTORY_LIST, HookHandler.AT_FDCWD, path);
    }

    /** A listing through {@code SecureDirectoryStream.newDirectoryStream}: a path relative to an open directory. */
    public static void directoryListAt(int directoryFd, Object path) throws HostGuardBlockedException {
        judgeFile(HookHandler.DIRECTORY_LIST, directoryFd, path);
    }

    /**
     * A java.io listing ({@code File.list}, {@code listFiles}), which declares no exception: a refused listing
     * returns {@code null}, as on any I/O error.
     *
     * @return whether the listing is refused
     */
    public static boolean directoryListRefused(java.io.File directory) {
        try {
            judgeFile(HookHandler.DIRECTORY_LIST, HookHandler.AT_FDCWD, directory);
            return false;
        } catch (HostGuardBlockedException refused) {
            return true;
        }
    }

    /** {@code UnixDomainSockets.connect}: every Unix-domain socket connect of the JDK. */
    public static void unixConnect(Object socketPath) throws HostGuardBlockedException {
        judgeFile(HookHandler.UNIX_CONNECT, HookHandler.AT_FDCWD, socketPath);
    }

    /**
     * {@code sun.nio.ch.Net.connect(ProtocolFamily, FileDescriptor, InetAddress, int)}: every TCP connect of the JDK
     * ({@code SocketChannel}, {@code Socket} through {@code NioSocketImpl}, the {@code HttpClient}, {@code URL}
     * connections, asynchronous socket channels) and a UDP channel's connect.
     */
    public static void networkConnect(java.net.InetAddress address, int port) throws HostGuardBlockedException {
        RequestScope scope = SCOPE.get();
        if ((scope == null || !scope.active()) && !outsideRequests) {
            return; // kept this small, so the JIT inlines it into the connect path and the path's objects stay unescaped
        }
        judgeNetworkConnect(scope, address, port);
    }

    private static void judgeNetworkConnect(RequestScope scope, java.net.InetAddress address, int port)
            throws HostGuardBlockedException {
        if (scope == null || !scope.active()) {
            scope = outsideScope(scope);
        }
        if (scope.busy || address == null) {
            return;
        }
        HookHandler h = handler;
        if (h == null) {
            return;
        }
        scope.busy = true;
        try {
            h.networkConnect(scope, address, port);
        } catch (HostGuardBlockedException e) {
            scope.recordBlock(e);
            throw e;
        } catch (Throwable t) {
            failed(h, "network-connect", t);
        } finally {
            scope.busy = false;
        }
    }

    /**
     * A JDK socket's connect returned ({@code thrown}: or failed): {@code SocketChannelImpl.connect},
     * {@code NioSocketImpl.connect} (every {@code java.net.Socket}), {@code AsynchronousSocketChannelImpl.connect}.
     * Whoever connected (a user's request, start-up code, a pool outside any request), a connection to a socket the
     * handler takes for a container runtime's, or to an endpoint a network rule guards (a runtime's API port, the
     * Kubernetes API server, ...), is remembered, so that its later use inside a guarded request is judged
     * ({@link #socketIO}). The connect itself was judged inside, at {@code UnixDomainSockets.connect} or
     * {@code Net.connect}: a refused one threw and is not remembered.
     */
    public static void channelConnected(Object connection, Object address, Throwable thrown) {
        if (thrown != null) {
            return;
        }
        if (address instanceof java.net.UnixDomainSocketAddress unix) {
            remembered(connection, unix.getPath(), -1);
        } else if (address instanceof java.net.InetSocketAddress inet && inet.getAddress() != null) {
            java.net.InetAddress to = inet.getAddress();
            // the JDK connects to this host for the wildcard address, as the connect itself was judged
            remembered(connection, to.isAnyLocalAddress() ? java.net.InetAddress.getLoopbackAddress() : to,
                    inet.getPort());
        }
    }

    /**
     * Remembers {@code connection} if the handler says it reached a runtime or control plane ({@code target}: a
     * socket path, {@code port} -1; or an address and its port), whoever connected: a connect is rare, and a pooled
     * connection opened outside a request is exactly the one to remember. Made inside a request, its connect was that
     * request's finding already, so its use in the same request is not judged again.
     */
    private static void remembered(Object connection, Object target, int port) {
        HookHandler h = handler;
        if (h == null || connection == null || target == null) {
            return;
        }
        RequestScope scope = outsideScope(SCOPE.get());
        if (scope.busy) {
            return;
        }
        scope.busy = true;
        try {
            RuntimeConnections.remember(connection, port < 0 ? h.runtimeConnection(String.valueOf(target))
                    : h.networkConnection((java.net.InetAddress) target, port));
        } catch (Throwable t) {
            failed(h, "runtime-connection", t);
        } finally {
            scope.busy = false;
        }
        if (scope.active()) {
            scope.runtimeConnectionJudged(connection, true);
        }
    }

    /**
     * A Unix-domain connect of a library with its own native sockets (junixsocket, jnr-unixsocket), at its Java
     * entry point: {@code connection} is the library's socket object, {@code address} its address object, whose
     * path the handler reads. Judged as {@link #unixConnect}, remembered as {@link #channelConnected}.
     */
    public static void nativeUnixConnect(Object connection, Object address) throws HostGuardBlockedException {
        HookHandler h = handler;
        if (h == null || connection == null || address == null) {
            return;
        }
        RequestScope scope = outsideScope(SCOPE.get());
        if (scope.busy) {
            return;
        }
        String path;
        scope.busy = true;
        try {
            path = h.socketPath(address);
        } catch (Throwable t) {
            failed(h, "native-unix-connect", t);
            return;
        } finally {
            scope.busy = false;
        }
        if (path != null) {
            unixConnect(path);
            remembered(connection, path, -1);
        }
    }

    /**
     * A connect of a library's own native socket that takes either kind of address (Netty's epoll and kqueue
     * {@code Socket.connect}): an {@link java.net.InetSocketAddress} is judged as the JDK's TCP connects
     * ({@link #networkConnect}), anything else as a Unix-domain address ({@link #nativeUnixConnect}, which reads its
     * path and judges and remembers it).
     */
    public static void nativeSocketConnect(Object connection, Object address) throws HostGuardBlockedException {
        if (address instanceof java.net.InetSocketAddress inet) {
            networkConnect(inet.getAddress(), inet.getPort());
        } else {
            nativeUnixConnect(connection, address);
        }
    }

    /**
     * {@link #nativeSocketConnect}'s connect returned ({@code thrown}: or failed; a non-blocking one that is still
     * in progress returned too): a TCP connection to a guarded endpoint is remembered as a JDK socket's
     * ({@link #channelConnected}; a Unix-domain one was remembered where it was judged).
     */
    public static void nativeSocketConnected(Object connection, Object address, Throwable thrown) {
        if (address instanceof java.net.InetSocketAddress) {
            channelConnected(connection, address, thrown);
        }
    }

    /**
     * A native socket's send to an address (Netty epoll's {@code sendTo*}): with {@code connects} (TCP Fast Open) it
     * is the socket's connect, judged as {@link #networkConnect}; otherwise a write ({@link #socketIO}).
     */
    public static void nativeSendTo(Object connection, java.net.InetAddress address, int port, boolean connects)
            throws HostGuardBlockedException {
        if (connects) {
            networkConnect(address, port);
        } else {
            socketIO(connection, true);
        }
    }

    /**
     * {@link #nativeSendTo} returned ({@code thrown}: or failed): with {@code connects} (TCP Fast Open) a connection
     * to a guarded endpoint is remembered as {@link #channelConnected}'s.
     */
    public static void nativeSentTo(Object connection, java.net.InetAddress address, int port, boolean connects,
                                    Throwable thrown) {
        if (connects && thrown == null && address != null) {
            remembered(connection, address.isAnyLocalAddress() ? java.net.InetAddress.getLoopbackAddress() : address,
                    port);
        }
    }

    /**
     * A read or write on a socket (a {@code SocketChannelImpl}, the channel itself; a native client's
     * socket object): judged when it is a remembered runtime connection and this thread works for a guarded
     * request; before a byte goes out or comes in, so a refused write sends nothing. Every socket read and write
     * of the JVM comes here: while no runtime connection exists that costs one static read, and otherwise, outside
     * requests, one thread-local read more; it allocates nothing.
     */
    public static void socketIO(Object connection, boolean write) throws HostGuardBlockedException {
        if (RuntimeConnections.none()) {
            return;
        }
        RequestScope scope = SCOPE.get();
        if (scope == null || !scope.active()) {
            if (!outsideRequests) {
                return;
            }
            scope = outsideScope(scope);
        }
        if (scope.busy || scope.runtimeConnectionJudged(connection)) {
            return;
        }
        Object noted = RuntimeConnections.noted(connection);
        HookHandler h = handler;
        if (noted == null || h == null) {
            return;
        }
        scope.busy = true;
        try {
            h.runtimeConnectionUse(scope, noted, write);
            scope.runtimeConnectionJudged(connection, true);
        } catch (HostGuardBlockedException e) {
            scope.recordBlock(e);
            throw e;
        } catch (Throwable t) {
            failed(h, "runtime-connection-io", t);
        } finally {
            scope.busy = false;
        }
    }

    private static void judgeFile(int operation, int directoryFd, Object path) throws HostGuardBlockedException {
        RequestScope scope = SCOPE.get();
        if (scope == null || !scope.active()) {
            if (!outsideRequests) {
                return;
            }
            scope = outsideScope(scope);
        }
        if (scope.busy) {
            return;
        }
        HookHandler h = handler;
        if (h == null) {
            return;
        }
        scope.busy = true;
        try {
            h.fileAccess(scope, operation, directoryFd, pathText(path));
        } catch (HostGuardBlockedException e) {
            scope.recordBlock(e);
            throw e;
        } catch (Throwable t) {
            failed(h, FILE_SITES[operation], t);
        } finally {
            scope.busy = false;
        }
    }

    // ---- other processes, through the JDK's process API ----

    /** What {@link #processInfo} returns for a refused read: a pid no process has, so the JDK reads nothing. */
    public static final long NO_PROCESS = -1L;

    /**
     * {@code ProcessHandleImpl.Info.info(long pid, long startTime)}: behind every {@code ProcessHandle.info()} and
     * {@code Process.info()}, which read the process's command line natively ({@code /proc/<pid>/cmdline}). Declares
     * no exception: a refused read reads the pid {@link #NO_PROCESS} instead, so the caller gets an empty
     * {@code Info} (every field {@code Optional.empty()}), what the JDK answers when {@code /proc} is unreadable.
     *
     * @return the pid to read: {@code pid}, or {@link #NO_PROCESS} when refused
     */
    public static long processInfo(long pid) {
        RequestScope scope = SCOPE.get();
        if (scope == null || !scope.active()) {
            if (!outsideRequests) {
                return pid;
            }
            scope = outsideScope(scope);
        }
        if (scope.busy) {
            return pid;
        }
        HookHandler h = handler;
        if (h == null) {
            return pid;
        }
        scope.busy = true;
        try {
            h.processInfo(scope, pid);
            return pid;
        } catch (HostGuardBlockedException e) {
            scope.recordBlock(e);
            return NO_PROCESS;
        } catch (Throwable t) {
            failed(h, "process-info", t);
            return pid;
        } finally {
            scope.busy = false;
        }
    }

    /**
     * {@code ProcessHandleImpl.destroy()} and {@code destroyForcibly()}: a signal to another process through a
     * {@code ProcessHandle}. Declares no exception: a refused signal is not sent and the method returns false, as
     * when the process could not be signalled.
     *
     * @return whether the signal is refused
     */
    public static boolean processSignalRefused(Object handle, boolean forcibly) {
        RequestScope scope = SCOPE.get();
        if (scope == null || !scope.active()) {
            if (!outsideRequests) {
                return false;
            }
            scope = outsideScope(scope);
        }
        if (scope.busy || !(handle instanceof ProcessHandle process)) {
            return false;
        }
        HookHandler h = handler;
        if (h == null) {
            return false;
        }
        scope.busy = true;
        try {
            h.processSignal(scope, process.pid(), forcibly);
            return false;
        } catch (HostGuardBlockedException e) {
            scope.recordBlock(e);
            return true;
        } catch (Throwable t) {
            failed(h, "process-signal", t);
            return false;
        } finally {
            scope.busy = false;
        }
    }

    // ---- file-system changes other than opens: renames, links, deletes, creates, attributes ----

    /**
     * A change of the file system at one of the JDK's choke points (NIO's {@code UnixNativeDispatcher} wrappers,
     * its attribute views, java.io's {@code UnixFileSystem} and {@code File}): see {@code FileChangeHooks}. Rare
     * operations; outside a request this costs the thread-local read and nothing else.
     *
     * @see HookHandler#fileChange
     */
    public static void fileChange(int operation, int directoryFd, Object path, int otherFd, Object other, int mode,
                                  String detail) throws HostGuardBlockedException {
        RequestScope scope = SCOPE.get();
        if ((scope == null || !scope.active()) && !outsideRequests) {
            return;
        }
        judgeFileChange(scope, operation, directoryFd, path, otherFd, other, mode, detail);
    }

    /**
     * The dispatcher's {@code unlink} and {@code unlinkat}: a delete, as {@link #fileChange}. One caller opens before
     * it unlinks: {@code UnixChannelFactory} with {@code DELETE_ON_CLOSE} unlinks the file it has just opened and
     * ignores the JDK's own {@code UnixException} there (best effort); any other exception leaves the descriptor it
     * made open for good. A refusal there is thrown as that exception ({@link HookHandler#unlinkRefusal}): the open
     * answers its channel, the file stays, the event is written and the request answered as refused.
     */
    public static void fileUnlink(int directoryFd, Object path) throws HostGuardBlockedException {
        RequestScope scope = SCOPE.get();
        if ((scope == null || !scope.active()) && !outsideRequests) {
            return;
        }
        try {
            judgeFileChange(scope, HookHandler.CHANGE_DELETE, directoryFd, path, HookHandler.AT_FDCWD, null, -1,
                    null);
        } catch (HostGuardBlockedException refused) {
            Throwable jdkOwn = null;
            HookHandler h = handler;
            try {
                jdkOwn = h == null ? null : h.unlinkRefusal(refused);
            } catch (Throwable t) {
                failed(h, "file-unlink", t);
            }
            if (jdkOwn != null) {
                throw Hooks.<RuntimeException>unchecked(jdkOwn);
            }
            throw refused;
        }
    }

    /** Throws a checked exception the caller's signature does not name (the JDK's own, for its own catch). */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T unchecked(Throwable t) throws T {
        throw (T) t;
    }

    /**
     * {@code UnixDomainSockets.bind}: a Unix-domain socket bound to a path makes a socket file there, judged as a
     * create of that name ({@link HookHandler#CHANGE_CREATE}). An unnamed address is the JDK's to refuse.
     */
    public static void unixBind(Object socketPath) throws HostGuardBlockedException {
        RequestScope scope = SCOPE.get();
        if ((scope == null || !scope.active()) && !outsideRequests) {
            return;
        }
        if (socketPath == null || socketPath.toString().isEmpty()) {
            return;
        }
        judgeFileChange(scope, HookHandler.CHANGE_CREATE, HookHandler.AT_FDCWD, socketPath, HookHandler.AT_FDCWD,
                null, -1, null);
    }

    /**
     * A java.io change that answers {@code false} on failure and declares no exception, or one whose caller turns a
     * {@code false} into its own answer ({@code File.delete}, {@code renameTo}, {@code mkdir}, {@code createNewFile},
     * {@code setExecutable}, ...): a refusal is a {@code false}, as on any failure; the event is written.
     *
     * @return whether the change is refused
     */
    public static boolean fileChangeRefused(int operation, Object path, Object other, String detail) {
        try {
            fileChange(operation, HookHandler.AT_FDCWD, path, HookHandler.AT_FDCWD, other, -1, detail);
            return false;
        } catch (HostGuardBlockedException refused) {
            return true;
        }
    }

    private static void judgeFileChange(RequestScope scope, int operation, int directoryFd, Object path, int otherFd,
                                        Object other, int mode, String detail) throws HostGuardBlockedException {
        if (scope == null || !scope.active()) {
            scope = outsideScope(scope);
        }
        if (scope.busy || path == null) {
            return;
        }
        HookHandler h = handler;
        if (h == null) {
            return;
        }
        scope.busy = true;
        try {
            h.fileChange(scope, operation, directoryFd, path, otherFd, other, mode, detail);
        } catch (HostGuardBlockedException e) {
            scope.recordBlock(e);
            throw e;
        } catch (Throwable t) {
            failed(h, "file-change", t);
        } finally {
            scope.busy = false;
        }
    }

    // ---- the JVM's own diagnostics: heap dumps, VM options, diagnostic commands, attach ----

    /**
     * A JVM diagnostic ({@code JvmDiagnosticsHooks}): {@code HotSpotDiagnostic.dumpHeap}, {@code setVMOption},
     * {@code DiagnosticCommandImpl.invoke}, jdk.attach's {@code VirtualMachineImpl} constructor and {@code execute}.
     * The advice throws what the API declares for a refusal (an {@code IOException}, an {@code MBeanException}, a
     * {@code SecurityException}) with the refusal as its cause.
     *
     * @return the refusal, recorded on the request; {@code null} when the diagnostic may go ahead
     */
    public static HostGuardBlockedException jvmDiagnosticRefusal(String kind, String name, Object arguments) {
        RequestScope scope = SCOPE.get();
        if (scope == null || !scope.active()) {
            if (!outsideRequests && !outsideEscapes) {
                return null;
            }
            scope = outsideScope(scope);
        }
        if (scope.busy) {
            return null;
        }
        HookHandler h = handler;
        if (h == null) {
            return null;
        }
        scope.busy = true;
        try {
            h.jvmDiagnostic(scope, kind, name, arguments);
            return null;
        } catch (HostGuardBlockedException e) {
            scope.recordBlock(e);
            return e;
        } catch (Throwable t) {
            failed(h, "jvm-diagnostic", t);
            return null;
        } finally {
            scope.busy = false;
        }
    }

    /**
     * {@code jdk.internal.perf.Perf}'s attach to another JVM's performance counters (its {@code hsperfdata} file),
     * which hold that JVM's command line: judged as {@code ProcessHandle.info()} of that pid is, a read of
     * {@code /proc/<pid>/cmdline}. A refusal is the {@link HostGuardBlockedException}, an {@code IOException}, as the
     * method declares.
     */
    public static void processCounters(int pid) throws HostGuardBlockedException {
        RequestScope scope = SCOPE.get();
        if (scope == null || !scope.active()) {
            if (!outsideRequests) {
                return;
            }
            scope = outsideScope(scope);
        }
        if (scope.busy) {
            return;
        }
        HookHandler h = handler;
        if (h == null) {
            return;
        }
        scope.busy = true;
        try {
            h.processInfo(scope, pid);
        } catch (HostGuardBlockedException e) {
            scope.recordBlock(e);
            throw e;
        } catch (Throwable t) {
            failed(h, "process-counters", t);
        } finally {
            scope.busy = false;
        }
    }

    // ---- native code ----

    /**
     * {@code NativeLibraries.loadLibrary(Class, String, boolean)}: every JNI library load ({@code System.load},
     * {@code System.loadLibrary}, {@code Runtime}'s, a class loader's {@code findLibrary}) once the file is known to
     * exist, with its canonical path. Libraries the JDK's own classes load (boot and platform loaders) are not
     * judged. A refusal is an {@link UnsatisfiedLinkError} whose cause is the {@link HostGuardBlockedException}:
     * what these methods throw when a library cannot be loaded, and what libraries with a pure-Java fallback catch.
     */
    public static void nativeLibraryLoad(Class<?> fromClass, String library) {
        RequestScope scope = SCOPE.get();
        if (scope == null || !scope.active()) {
            if (!outsideRequests && !outsideEscapes) {
                return;
            }
            scope = outsideScope(scope);
        }
        if (fromClass == null || scope.busy || jdkLoader(fromClass.getClassLoader())) {
            return;
        }
        HostGuardBlockedException refused = judgeNative(scope, HookHandler.NATIVE_LOAD, "jni", library, null);
        if (refused != null) {
            throw (UnsatisfiedLinkError) new UnsatisfiedLinkError(refused.getMessage()).initCause(refused);
        }
    }

    /**
     * A library opened by a native-access library's own loader: JNA's {@code NativeLibrary.getInstance(String, Map)}
     * (every {@code Native.load}, {@code loadLibrary}, {@code register} and {@code NativeLibrary.getInstance}) and
     * {@code getProcess(Map)}; jnr-ffi's, at jffi's {@code Library.dlopen} (every {@code LibraryLoader.load},
     * {@code Library.getCachedInstance}, {@code openLibrary}, {@code getDefault}). {@code library} null: the
     * process's own symbols, libc's included. A refusal is an {@link UnsatisfiedLinkError}, as both throw for a
     * library they cannot open.
     *
     * @param api {@code jna} or {@code jnr-ffi}
     */
    public static void nativeLibraryOpen(String api, String library) {
        RequestScope scope = SCOPE.get();
        if (scope == null || !scope.active()) {
            if (!outsideRequests && !outsideEscapes) {
                return;
            }
            scope = outsideScope(scope);
        }
        if (scope.busy) {
            return;
        }
        HostGuardBlockedException refused = judgeNative(scope, HookHandler.NATIVE_LOAD, api,
                library == null ? "<process>" : library, null);
        if (refused != null) {
            throw (UnsatisfiedLinkError) new UnsatisfiedLinkError(refused.getMessage()).initCause(refused);
        }
    }

    /**
     * A library the JDK's own classes open outside {@code NativeLibraries} at a path or name the caller chose
     * ({@code NativeCodeHooks}): SunPKCS11's module ({@code pkcs11}) and NSS ({@code pkcs11-nss}), the
     * smart-card library ({@code smartcardio}). The advice throws the refusal as the {@code IOException} these
     * methods declare.
     *
     * @return the refusal, recorded on the request; {@code null} when the library may be opened
     */
    public static HostGuardBlockedException nativeLibraryRefusal(String api, String library) {
        RequestScope scope = SCOPE.get();
        if (scope == null || !scope.active()) {
            if (!outsideRequests && !outsideEscapes) {
                return null;
            }
            scope = outsideScope(scope);
        }
        if (scope.busy) {
            return null;
        }
        return judgeNative(scope, HookHandler.NATIVE_LOAD, api, library == null ? "<default>" : library, null);
    }

    /**
     * FFM (JDK 22+): {@code SymbolLookup.libraryLookup(String|Path, Arena)}. A refusal is an
     * {@link IllegalArgumentException} whose cause is the refusal: what the method throws when it cannot open the
     * library.
     */
    public static void ffmLibraryLookup(Object library) {
        RequestScope scope = SCOPE.get();
        if (scope == null || !scope.active()) {
            if (!outsideRequests && !outsideEscapes) {
                return;
            }
            scope = outsideScope(scope);
        }
        if (scope.busy) {
            return;
        }
        HostGuardBlockedException refused = judgeNative(scope, HookHandler.NATIVE_LOAD, "ffm-library-lookup",
                library, null);
        if (refused != null) {
            throw new IllegalArgumentException(refused.getMessage(), refused);
        }
    }

    /**
     * FFM (JDK 22+): {@code AbstractLinker.downcallHandle(MemorySegment, FunctionDescriptor, Option...)} and
     * {@code downcallHandle(FunctionDescriptor, Option...)} ({@code symbol} null), behind every
     * {@code Linker.downcallHandle}. A refusal is an {@link IllegalCallerException} whose cause is the refusal: what
     * the JDK throws when native access is denied to the caller ({@code --illegal-native-access=deny}).
     */
    public static void ffmDowncall(Object symbol, Object descriptor) {
        RequestScope scope = SCOPE.get();
        if (scope == null || !scope.active()) {
            if (!outsideRequests && !outsideEscapes) {
                return;
            }
            scope = outsideScope(scope);
        }
        if (scope.busy) {
            return;
        }
        HostGuardBlockedException refused = judgeNative(scope, HookHandler.NATIVE_DOWNCALL, "ffm-downcall", symbol,
                descriptor);
        if (refused != null) {
            throw new IllegalCallerException(refused.getMessage(), refused);
        }
    }

    /** The boot and platform loaders: the JDK's own classes, whose libraries are the JDK's. */
    private static boolean jdkLoader(ClassLoader loader) {
        return loader == null || loader == ClassLoader.getPlatformClassLoader();
    }

    /** @return the refusal, recorded on the request; {@code null} when the code may go ahead */
    private static HostGuardBlockedException judgeNative(RequestScope scope, int operation, String api, Object target,
                                                         Object detail) {
        HookHandler h = handler;
        if (h == null) {
            return null;
        }
        scope.busy = true;
        try {
            h.nativeCode(scope, operation, api, target, detail);
            return null;
        } catch (HostGuardBlockedException e) {
            scope.recordBlock(e);
            return e;
        } catch (Throwable t) {
            failed(h, api, t);
            return null;
        } finally {
            scope.busy = false;
        }
    }

    // ---- self-protection: HostGuard's own classes and the facade's state (SelfProtectionHooks) ----

    /** Binary names of HostGuard's classes (the facade, the agent, the libraries it shades) start with this. */
    private static final String OWN_PACKAGE = "dev.hostguard.agent.";
    /** {@link #integrity} bits. */
    public static final int HANDLER_REPLACED = 1;
    public static final int OUTSIDE_REQUESTS_CHANGED = 2;
    public static final int INSTALLING_AGAIN = 4;

    /**
     * {@code AccessibleObject.checkCanSetAccessible(caller, declaringClass, throwExceptionIfDenied)}, behind every
     * {@code setAccessible(true)}, {@code trySetAccessible()} and {@code AccessibleObject.setAccessible(array, true)}
     * of a field, method or constructor: refused when the member is HostGuard's and the caller is not, in either mode,
     * inside requests or not, with a {@code tamper} event. Runs on every {@code setAccessible} of the JVM: the first
     * test is one compare of the declaring class's (cached) name.
     *
     * @return whether the access is refused (the method then answers {@code false}, as {@code trySetAccessible} does)
     * @throws java.lang.reflect.InaccessibleObjectException when refused and the caller asked for an exception, as the
     *     JDK throws for a package its module does not open
     */
    public static boolean accessRefused(Object member, Class<?> caller, Class<?> declaring, boolean raise) {
        if (declaring == null) {
            return false;
        }
        String target;
        if (declaring.getName().startsWith(OWN_PACKAGE)) {
            if (!ownClass(declaring) || ownCaller(caller)) {
                return false;
            }
            target = declaring.getName();
        } else if (declaring == Thread.class || declaring == THREAD_LOCAL_MAP || declaring == THREAD_LOCAL_ENTRY) {
            target = threadLocalsAimedAt(member, declaring, caller);
            if (target == null) {
                return false;
            }
        } else {
            return false;
        }
        HostGuardBlockedException refusal = tampered("set-accessible", target,
                caller == null ? "caller unknown" : "caller " + caller.getName());
        if (raise) {
            java.lang.reflect.InaccessibleObjectException denied = new java.lang.reflect.InaccessibleObjectException(
                    "Unable to make a member of " + target + " accessible: HostGuard's own state is"
                            + " not open to reflection");
            if (refusal != null) {
                denied.initCause(refusal);
            }
            throw denied;
        }
        return true;
    }

    /**
     * {@code MethodHandles.privateLookupIn(targetClass, caller)}: a lookup with private access into HostGuard's classes,
     * for anyone but HostGuard, is refused with the {@link IllegalAccessException} the method declares, and a
     * {@code tamper} event.
     */
    public static void privateLookupRefused(Class<?> target, java.lang.invoke.MethodHandles.Lookup caller)
            throws IllegalAccessException {
        if (target == null || !target.getName().startsWith(OWN_PACKAGE) || !ownClass(target)
                || caller != null && ownCaller(caller.lookupClass())) {
            return;
        }
        HostGuardBlockedException refusal = tampered("private-lookup", target.getName(),
                caller == null ? "caller unknown" : "caller " + caller.lookupClass().getName());
        IllegalAccessException denied = new IllegalAccessException("no private access to " + target.getName()
                + ": HostGuard's own state is not open to reflection");
        if (refusal != null) {
            denied.initCause(refusal);
        }
        throw denied;
    }

    /**
     * {@code sun.misc.Unsafe}'s {@code objectFieldOffset}, {@code staticFieldOffset} and {@code staticFieldBase}: the
     * offset (or base) of a field of HostGuard's, which an {@code Unsafe} write needs, is refused with an
     * {@link UnsupportedOperationException} (what these methods throw for a record's or hidden class's field) and a
     * {@code tamper} event. HostGuard itself never asks for one.
     */
    public static void unsafeOffsetRefused(java.lang.reflect.Field field, String method) {
        if (field == null || !field.getDeclaringClass().getName().startsWith(OWN_PACKAGE)
                || !ownClass(field.getDeclaringClass())) {
            return;
        }
        String target = field.getDeclaringClass().getName() + "." + field.getName();
        HostGuardBlockedException refusal = tampered("unsafe-offset", target, "sun.misc.Unsafe." + method);
        UnsupportedOperationException denied = new UnsupportedOperationException("Unsafe." + method + " of " + target
                + ": HostGuard's own state");
        if (refusal != null) {
            denied.initCause(refusal);
        }
        throw denied;
    }

    /**
     * An attempt on HostGuard that the agent itself refused (a write to one of its MBeans): one {@code tamper} event
     * naming the request this thread works for, as for the attempts refused at the JDK's choke points.
     *
     * @return the request's refusal (block mode, guarded request), to be the cause of the refusal the caller throws;
     *     {@code null} when the request goes on
     */
    public static HostGuardBlockedException refusedAttempt(String family, String target, String detail) {
        return tampered(family, target, detail);
    }

    /**
     * The agent's self-check: what differs from what {@code expected} (the handler the agent installed) put in place.
     *
     * @param outside whether the policy in force judges outside requests
     * @param escapes whether it judges the container-escape operations outside requests (the default policy, once
     *     requests are served)
     * @return a sum of {@link #HANDLER_REPLACED}, {@link #OUTSIDE_REQUESTS_CHANGED}, {@link #INSTALLING_AGAIN}; 0 when
     *     intact
     */
    public static int integrity(HookHandler expected, boolean outside, boolean escapes) {
        int broken = 0;
        if (handler != expected || INSTALLED[0] != expected) {
            broken |= HANDLER_REPLACED;
        }
        if (outsideRequests != outside || outsideEscapes != escapes) {
            broken |= OUTSIDE_REQUESTS_CHANGED;
        }
        if (installing) {
            broken |= INSTALLING_AGAIN;
        }
        return broken;
    }

    /**
     * Puts back what {@link #integrity} found changed, for the handler {@link #install} installed (and the self-check
     * holds): anyone else's call changes nothing and is a {@code tamper} event.
     *
     * @return whether {@code installed} is the handler installed (then the facade is as it put it)
     */
    public static synchronized boolean restore(HookHandler installed, boolean outside, boolean escapes) {
        HookHandler original = INSTALLED[0];
        if (installed == null || installed != original) {
            tampered("facade-call", "Hooks.restore", "by another handler, refused");
            return false;
        }
        handler = installed;
        outsideRequests = outside;
        outsideEscapes = escapes;
        if (installing) {
            installing = false;
            Hooks.class.notifyAll();
        }
        return true;
    }

    /**
     * A service run with {@code --add-opens java.base/java.lang} (common: many libraries ask for it) lets its code
     * make a thread's thread-locals accessible, and clearing them ends the request this thread serves as far as the
     * hooks see. Inside a request (or when outside requests are judged) a {@code setAccessible} of
     * {@code Thread.threadLocals}/{@code inheritableThreadLocals} or of a member of {@code ThreadLocalMap} and its
     * entries by code not the JDK's or HostGuard's is refused; elsewhere (a container's leak check at undeploy) it
     * goes ahead.
     *
     * @return what was aimed at; {@code null}: not refused
     */
    private static String threadLocalsAimedAt(Object member, Class<?> declaring, Class<?> caller) {
        if (declaring == Thread.class && !(member instanceof java.lang.reflect.Field field
                && (field.getName().equals("threadLocals") || field.getName().equals("inheritableThreadLocals")))) {
            return null;
        }
        RequestScope scope = SCOPE.get();
        if ((scope == null || !scope.active()) && !outsideRequests || ownCaller(caller)) {
            return null;
        }
        return declaring.getName() + (member instanceof java.lang.reflect.Member m ? "." + m.getName() : "");
    }

    private static Class<?> jdkClass(String name) {
        try {
            return Class.forName(name, false, null);
        } catch (ClassNotFoundException | LinkageError e) {
            return Hooks.class; // never a declaring class the hook sees for a member of the JDK's
        }
    }

    /** Whether this JVM ever started a process (the hooked {@code ProcessImpl.start} ran): for the self-check. */
    public static boolean processStartsSeen() {
        return processStarts;
    }

    /**
     * Whether {@code c}, named in HostGuard's package, is HostGuard's: the facade (boot loader), the agent's classes
     * (the installed handler's protection domain: the agent jar) and its weaving loader's. Not another class of that
     * name elsewhere (the agent's own tests, say); before the installation only the facade.
     */
    private static boolean ownClass(Class<?> c) {
        ClassLoader loader = c.getClassLoader();
        if (loader == null) {
            return true;
        }
        HookHandler installed = INSTALLED[0];
        return installed != null && (c.getProtectionDomain() == installed.getClass().getProtectionDomain()
                || ownLoader(loader));
    }

    /** The agent's weaving loader: a loader of HostGuard's package that the system loader defined. */
    private static boolean ownLoader(ClassLoader loader) {
        Class<?> loaderClass = loader.getClass();
        ClassLoader loaderLoader = loaderClass.getClassLoader();
        return loaderClass.getName().startsWith(OWN_PACKAGE)
                && (loaderLoader == null || loaderLoader == ClassLoader.getSystemClassLoader());
    }

    /**
     * Whether {@code caller} is the JDK's (a class of a named module of the boot or platform loader: the JDK decides
     * its own accesses, and code in the service cannot define a class there) or HostGuard's own: named in its package
     * and defined by the boot loader, the agent's
     * (the system loader) or the agent's weaving loader (a loader of our package the system loader defined). A class
     * of that name in any other loader is not.
     */
    private static boolean ownCaller(Class<?> caller) {
        if (caller == null) {
            return false;
        }
        ClassLoader loader = caller.getClassLoader();
        if (caller.getModule().isNamed() && (loader == null || loader == ClassLoader.getPlatformClassLoader())) {
            return true; // the JDK's own (its lambda metafactory makes our lambdas' constructors accessible)
        }
        if (!caller.getName().startsWith(OWN_PACKAGE)) {
            return false;
        }
        if (loader == null || loader == ClassLoader.getSystemClassLoader()) {
            return true;
        }
        return ownLoader(loader);
    }

    /**
     * Reports a tamper attempt to the handler: a {@code tamper} event naming the request this thread works for;
     * inside a guarded request in block mode, the request is refused too (the refusal is kept for its answer).
     *
     * @return that refusal; {@code null} when the request goes on (audit, a user's request, outside requests)
     */
    private static HostGuardBlockedException tampered(String family, String target, String detail) {
        HookHandler h = handler;
        if (h == null) {
            h = INSTALLED[0]; // the live handler was taken away: report to the one installed
        }
        if (h == null) {
            return null;
        }
        RequestScope scope = outsideScope(SCOPE.get());
        if (scope.busy) {
            return null;
        }
        scope.busy = true;
        try {
            HostGuardBlockedException refusal = h.tamper(scope, family, target, detail);
            if (refusal != null) {
                scope.recordBlock(refusal);
            }
            return refusal;
        } catch (Throwable t) {
            failed(h, "tamper", t);
            return null;
        } finally {
            scope.busy = false;
        }
    }

    /** The first request served on a thread: the handler starts its self-check (once). */
    private static void firstRequest() {
        HookHandler h = handler;
        if (selfCheckStarted || h == null) {
            return;
        }
        selfCheckStarted = true;
        try {
            h.requestsServed();
        } catch (Throwable t) {
            failed(h, "self-check-start", t);
        }
    }

    static String[] commandOf(byte[] program, byte[] argBlock) {
        String prog = cString(program);
        String[] args = argBlock == null || argBlock.length == 0
                ? new String[0]
                : new String(argBlock, StandardCharsets.UTF_8).split("\0");
        String[] command = Arrays.copyOf(new String[] {prog}, args.length + 1);
        System.arraycopy(args, 0, command, 1, args.length);
        return command;
    }

    private static String cString(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    private static void failed(HookHandler h, String site, Throwable t) {
        FAILURES.incrementAndGet();
        if (h != null) {
            try {
                h.hookFailed(site, t);
            } catch (Throwable ignored) {
                // the failure report itself failed; the count above still shows it
            }
        }
    }
}
