package dev.hostguard.agent.bootstrap;

import java.io.IOException;

/**
 * The one exception HostGuard throws on purpose: the guarded operation was refused and never happened.
 *
 * <p>It is an {@link IOException} because every JDK choke point we hook (process start, file open, socket
 * connect) already declares one: the host service's own error handling treats a refusal like any failed host
 * operation and keeps serving. Its message names the operation, the target, the rule, the key fingerprint and
 * the event id, never the key.
 */
public final class HostGuardBlockedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String rule;
    private final String eventId;

    public HostGuardBlockedException(String message, String rule, String eventId) {
        super(message);
        this.rule = rule;
        this.eventId = eventId;
    }

    public String rule() {
        return rule;
    }

    public String eventId() {
        return eventId;
    }
}
