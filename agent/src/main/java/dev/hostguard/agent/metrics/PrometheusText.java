package dev.hostguard.agent.metrics;

import java.util.Map;

/** The counters in the Prometheus text exposition format (version 0.0.4). */
final class PrometheusText {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText() {
    }

    static String of(AgentMetrics.Snapshot s) {
        StringBuilder out = new StringBuilder(2048);
        header(out, "hostguard_decisions_total", "Findings HostGuard decided: logged, blocked, or allowed by an allow"
                + " entry, by rule, authentication class and mode.");
        for (AgentMetrics.Decisions d : s.decisions()) {
            out.append("hostguard_decisions_total{rule=\"").append(escape(d.rule())).append("\",auth=\"")
                    .append(d.auth()).append("\",decision=\"").append(d.decision()).append("\",mode=\"")
                    .append(d.mode()).append("\"} ").append(d.count()).append('\n');
        }
        header(out, "hostguard_events_suppressed_total", "Events the rate limit held back (counted, not written),"
                + " by rule.");
        for (Map.Entry<String, Long> e : s.suppressed().entrySet()) {
            out.append("hostguard_events_suppressed_total{rule=\"").append(escape(e.getKey())).append("\"} ")
                    .append(e.getValue()).append('\n');
        }
        header(out, "hostguard_events_dropped_total", "Events the sink dropped: its queue was full, or its write"
                + " failed.");
        out.append("hostguard_events_dropped_total{reason=\"queue_full\"} ").append(s.droppedQueueFull()).append('\n');
        out.append("hostguard_events_dropped_total{reason=\"write_failed\"} ").append(s.droppedWriteFailed())
                .append('\n');
        single(out, "hostguard_hook_failures_total", "Hook failures (the operation went ahead).", s.hookFailures());
        single(out, "hostguard_policy_reloads_total", "Policy file changes put in force.", s.policyReloads());
        single(out, "hostguard_policy_errors_total", "Policy file changes refused as invalid.", s.policyErrors());
        single(out, "hostguard_policy_tampered_total", "Policy file changes refused as written by a guarded request.",
                s.policyTampered());
        single(out, "hostguard_tamper_total", "Attempts to switch HostGuard off refused, and changes its self-check"
                + " found and put back.", s.tamperAttempts());
        return out.toString();
    }

    private static void header(StringBuilder out, String name, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" counter\n");
    }

    private static void single(StringBuilder out, String name, String help, long value) {
        header(out, name, help);
        out.append(name).append(' ').append(value).append('\n');
    }

    private static String escape(String label) {
        return label.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
