package dev.hostguard.agent.metrics;

/**
 * The counters' families, named once for every exposure: Micrometer's dotted name ({@code hostguard.decisions},
 * which Micrometer's own Prometheus registry writes as {@code hostguard_decisions_total}) and the Prometheus text's
 * name, which is that one exactly.
 */
enum MetricFamily {
    DECISIONS("hostguard.decisions", "Findings HostGuard decided: logged, blocked, or allowed by an allow entry, by"
            + " rule, authentication class and mode."),
    EVENTS_SUPPRESSED("hostguard.events.suppressed", "Events the rate limit held back (counted, not written), by"
            + " rule."),
    EVENTS_DROPPED("hostguard.events.dropped", "Events the sink dropped: its queue was full, or its write failed."),
    HOOK_FAILURES("hostguard.hook.failures", "Hook failures (the operation went ahead)."),
    POLICY_RELOADS("hostguard.policy.reloads", "Policy file changes put in force."),
    POLICY_ERRORS("hostguard.policy.errors", "Policy file changes refused as invalid."),
    POLICY_TAMPERED("hostguard.policy.tampered", "Policy file changes refused as written by a guarded request."),
    TAMPER("hostguard.tamper", "Attempts to switch HostGuard off refused, and changes its self-check found and put"
            + " back.");

    private final String dotted;
    private final String help;

    MetricFamily(String dotted, String help) {
        this.dotted = dotted;
        this.help = help;
    }

    /** Micrometer's name. */
    String dotted() {
        return dotted;
    }

    /** A Prometheus counter's name: dots become underscores, with the {@code _total} suffix. */
    String prometheus() {
        return dotted.replace('.', '_') + "_total";
    }

    String help() {
        return help;
    }
}
