package dev.hostguard.agent.policy;

import java.util.Locale;

/** The operations a rule can apply to. */
public enum FileAccess {
    /** Opening a file for reading. */
    READ,
    /** Opening a file for writing, appending, truncating or creating. */
    WRITE,
    /** Listing a directory. */
    LIST,
    /** Connecting to a Unix-domain socket. */
    CONNECT,
    /** Starting a process: what the {@code process-start} rule applies to; no path rule does. */
    EXECUTE;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The name used in policies and events: {@code read}, {@code write}, {@code list}, {@code connect}, {@code execute}. */
    public String label() {
        return label;
    }
}
