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
    EXECUTE,
    /**
     * Changing an existing path without opening it: its mode (set-uid bits included), owner or group, times or
     * extended attributes. Creating, removing or replacing a name (delete, mkdir, a link's or a rename's new name)
     * is a {@link #WRITE} of that name.
     */
    CHANGE;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The name used in policies and events: {@code read}, {@code write}, {@code list}, {@code connect}, {@code execute},
     *  {@code change}. */
    public String label() {
        return label;
    }
}
