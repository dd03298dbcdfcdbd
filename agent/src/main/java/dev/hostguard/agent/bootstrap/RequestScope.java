package dev.hostguard.agent.bootstrap;

/**
 * The request a thread is serving, kept per thread and reused from one request to the next, so that entering and
 * leaving a request allocates nothing.
 *
 * <p>The scope opens at the outermost servlet, filter or handler entry and closes when that same entry returns or
 * throws. Nested entries (filter chains, forwards, includes) stay in it; while they run, {@link #request()} is the
 * request object as the innermost entry received it, so authentication is read the way the application sees it,
 * wrappers included.
 */
public final class RequestScope {
    private Object request;
    /** The outermost entry's request (the server's own), for its exit. */
    private Object outermost;
    private Object response;
    private int depth;
    private HostGuardBlockedException blocked;
    private boolean blockAnswered;

    /**
     * The request this thread works for without serving it: captured where the work was handed over (a task
     * submitted, a thread started inside a request). Opaque here; the handler made it.
     */
    private Object propagated;

    /** The handler's notes on the request being served (its classification), dropped when the request ends. */
    private Object memo;

    /**
     * The token of the message context a consumer's poll opened on this thread (its records' work, until the next
     * poll or close on this thread); {@code null} when none is open.
     */
    Object pollWindow;

    /** Set while our own handler runs on this thread, so nothing it does is judged. */
    boolean busy;
    /** Set between a judged {@code ProcessImpl.start} and its return, so its constructor is not judged twice. */
    boolean processStartJudged;
    /**
     * The runtime connection whose use this request (or the work this thread does for one) was last judged and let
     * go: its further reads and writes in the same request are not judged again (one event per request and
     * connection in audit mode). A refusal throws before this is set.
     */
    private Object runtimeConnectionJudged;
    /**
     * The handed-over request {@link #runtimeConnectionJudged} was judged for ({@code null}: the request this thread
     * serves), so that work an event loop runs for the same request in several tasks (a connect, then a write)
     * is judged once, and work for another request is judged again.
     */
    private Object runtimeConnectionJudgedFor;

    RequestScope() {
    }

    /** The request the outermost entry was made with (the server's own); {@code null} outside requests. */
    public Object outermost() {
        return depth > 0 ? outermost : null;
    }

    public Object request() {
        return request;
    }

    public Object response() {
        return response;
    }

    /** What this thread's work is judged by: a request it serves, or one that handed the work over. */
    boolean active() {
        return depth > 0 || propagated != null;
    }

    /** Whether the thread is inside a request entry (a filter, servlet or handler), not just working for one. */
    boolean serving() {
        return depth > 0;
    }

    /** The captured request this thread works for, when it serves none itself; else {@code null}. */
    public Object propagated() {
        return depth > 0 ? null : propagated;
    }

    /** What the handler noted about the request this thread serves; {@code null} when nothing yet. */
    public Object memo() {
        return memo;
    }

    public void memo(Object memo) {
        this.memo = memo;
    }

    boolean runtimeConnectionJudged(Object connection) {
        return runtimeConnectionJudged == connection && runtimeConnectionJudgedFor == propagated();
    }

    void runtimeConnectionJudged(Object connection, boolean judged) {
        runtimeConnectionJudged = judged ? connection : null;
        runtimeConnectionJudgedFor = propagated();
    }

    Object propagate(Object context) {
        Object previous = propagated;
        propagated = context;
        return previous;
    }

    /** @return the token the matching {@link #exit} must present */
    Object enter(Object request, Object response) {
        if (depth++ == 0) {
            this.request = request;
            this.outermost = request;
            this.response = response;
            blocked = null;  // a new request starts with no refusal and no notes, whatever ran here before
            blockAnswered = false;
            memo = null;
            runtimeConnectionJudged = null;
            return this;
        }
        Object previous = this.request;
        if (request != null) {
            this.request = request;
        }
        return previous;
    }

    /** Whether {@code token} ends the outermost entry, made while the thread worked for a handed-over request. */
    boolean endsInHandedOverWork(Object token) {
        return token == this && depth > 0 && propagated != null;
    }

    /**
     * Leaves one entry. Only the outermost entry's token closes the scope, so code that calls the hooks by hand
     * cannot end a request early; and it closes the scope whatever was entered inside it and never left (an entry
     * made by hand), so no entry outlives its request into the next one the thread serves.
     *
     * @return whether the token was accepted; the request ended when the scope is no longer {@link #active()}
     */
    boolean exit(Object token) {
        if (depth == 0 || depth == 1 && token != this) {
            return false;
        }
        if (token == this) {
            depth = 1;
            request = outermost; // its answer goes to the server's request, whatever was entered inside
        }
        if (--depth > 0) {
            request = token;
        }
        return true;
    }

    /**
     * Keeps the request's first refusal, for its answer. A refusal in work handed over to this thread (not
     * serving a request) answers no client here: the work's own caller gets the exception; kept, it would be
     * taken for a refusal of the next request this thread serves (a container thread that ran
     * {@code AsyncContext.start} work, say).
     */
    void recordBlock(HostGuardBlockedException e) {
        if (depth > 0 && blocked == null) {
            blocked = e;
        }
    }

    HostGuardBlockedException blocked() {
        return blocked;
    }

    boolean blockAnswered() {
        return blockAnswered;
    }

    void blockAnswered(boolean answered) {
        blockAnswered = answered;
    }

    void clear() {
        request = null;
        outermost = null;
        response = null;
        blocked = null;
        blockAnswered = false;
        propagated = null;
        memo = null;
        busy = false;
        pollWindow = null;
        processStartJudged = false;
        runtimeConnectionJudged = null;
    }
}
