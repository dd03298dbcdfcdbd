package dev.hostguard.agent.event;

import dev.hostguard.agent.context.Authentication;
import dev.hostguard.agent.policy.Decision;
import dev.hostguard.agent.policy.Mode;
import dev.hostguard.agent.policy.Operation;
import java.time.Instant;
import java.util.List;

/**
 * One decision about one host operation: what, where, which rule, which request and which key (by fingerprint).
 *
 * @param auth how the request was authenticated; {@code null} for an operation outside any request
 * @param keyName the name the policy's {@code credentials.keys} gives the request's API key; {@code null} when none
 * @param request the request; {@code null} outside any request
 * @param submitter the thread that handed the work over inside the request; {@code null} when the operation
 *     happened while serving the request itself
 * @param frames the few application stack frames that led to the operation, innermost first
 */
public record SecurityEvent(String id, Instant timestamp, Operation operation, Decision decision, Mode mode,
                            Authentication auth, String keyName, RequestInfo request, String submitter, String threadName,
                            List<String> frames) {

    public static SecurityEvent of(Operation operation, Decision decision, Mode mode, Authentication auth,
                                   RequestInfo request, String submitter, String threadName, List<String> frames) {
        return of(operation, decision, mode, auth, null, request, submitter, threadName, frames);
    }

    public static SecurityEvent of(Operation operation, Decision decision, Mode mode, Authentication auth,
                                   String keyName, RequestInfo request, String submitter, String threadName,
                                   List<String> frames) {
        return new SecurityEvent(EventStamps.newId(), Instant.now(), operation, decision, mode, auth, keyName,
                request, submitter, threadName, frames);
    }

    /** A one-line summary for the block exception's message (which the application may log). */
    public String summary() {
        return "blocked by HostGuard: " + operation.action().eventAction() + " " + operation.target()
                + (operation.connectionUse() ? " (" + operation.access().label() + " on a connection made before)" : "")
                + " (rule " + decision.rule() + ", auth " + (auth == null ? "outside-request" : auth.authClass().label())
                + (auth == null || auth.keyFingerprint() == null ? "" : ", key " + auth.keyFingerprint())
                + ", event " + id + ")";
    }
}
