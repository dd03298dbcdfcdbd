package dev.hostguard.agent.bootstrap;

/**
 * What the hooks forward to once the agent is running. Lives in the boot loader so that advice inlined into
 * {@code java.*} classes can reach it; the implementation lives in the agent's own class loader.
 */
public interface HookHandler {

    /** Judges a process start inside a request; throws to refuse it. */
    void processStart(RequestScope scope, String[] command, String directory) throws HostGuardBlockedException;

    /**
     * Answers the client of a request in which an operation was refused with 403, if its response is not
     * committed yet.
     *
     * @return whether the client got that answer
     */
    boolean answerBlocked(RequestScope scope, HostGuardBlockedException blocked);

    /** One of our own hooks failed; the operation went ahead (fail open). Never throws. */
    void hookFailed(String site, Throwable failure);
}
