package dev.hostguard.agent.bootstrap;

import java.io.FileNotFoundException;

/**
 * The one exception HostGuard throws on purpose: the guarded operation was refused and never happened.
 *
 * <p>It is an {@link java.io.IOException}, because every JDK entry point we guard (process start, file open,
 * socket connect) already declares one, and more precisely a {@link FileNotFoundException}, which is what the
 * java.io streams declare when a file cannot be opened: the host service's own error handling treats a refusal
 * like any failed host operation and keeps serving. Its message names the operation, the target, the rule, the
 * key fingerprint and the event id, never the key.
 */
public final class HostGuardBlockedException extends FileNotFoundException {
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
