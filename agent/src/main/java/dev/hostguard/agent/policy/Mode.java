package dev.hostguard.agent.policy;

import java.util.Locale;

/** What the guard does with a finding. */
public enum Mode {
    /** Findings are logged and the operation goes ahead. */
    AUDIT,
    /** Findings are logged and the operation is refused. */
    BLOCK,
    /** Nothing is installed. */
    OFF;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
