package dev.hostguard.agent.metrics;

import java.util.List;

/** The counters in the Prometheus text exposition format (version 0.0.4). */
final class PrometheusText {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText() {
    }

    /** Every family with its help and type, each followed by its series. */
    static String of(AgentMetrics metrics) {
        List<AgentMetrics.Series> series = metrics.series();
        StringBuilder out = new StringBuilder(2048);
        for (MetricFamily family : MetricFamily.values()) {
            String name = family.prometheus();
            out.append("# HELP ").append(name).append(' ').append(family.help()).append('\n');
            out.append("# TYPE ").append(name).append(" counter\n");
            for (AgentMetrics.Series s : series) {
                if (s.family() == family) {
                    out.append(name);
                    labels(out, s.tags());
                    out.append(' ').append(s.value().getAsLong()).append('\n');
                }
            }
        }
        return out.toString();
    }

    private static void labels(StringBuilder out, List<String> tags) {
        for (int i = 0; i < tags.size(); i += 2) {
            out.append(i == 0 ? '{' : ',').append(tags.get(i)).append("=\"").append(escape(tags.get(i + 1)))
                    .append('"');
        }
        if (!tags.isEmpty()) {
            out.append('}');
        }
    }

    private static String escape(String label) {
        return label.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
