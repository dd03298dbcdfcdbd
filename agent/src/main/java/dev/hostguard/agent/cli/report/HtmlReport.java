package dev.hostguard.agent.cli.report;

import dev.hostguard.agent.cli.events.UnattributedPrincipals;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * The report as one HTML file that works offline: inline CSS, an inline SVG chart of findings over time (blocked
 * and logged stacked per bucket), and the tables. No script at all, and a Content-Security-Policy that forbids
 * every script, font and remote resource, so a value that escaped our escaping still could not run. Every value
 * from an event is escaped ({@link HtmlText}).
 */
final class HtmlReport {
    static final String TITLE = "HostGuard report";
    private static final int CHART_WIDTH = 900;
    private static final int CHART_HEIGHT = 260;
    private static final int LEFT = 48;
    private static final int RIGHT = 12;
    private static final int TOP = 16;
    private static final int BOTTOM = 40;

    private HtmlReport() {
    }

    static void write(FindingSummary s, PrintWriter out) {
        out.println("<!DOCTYPE html>");
        out.println("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        out.println("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">");
        out.println("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        out.println("<title>" + TITLE + "</title>");
        out.println("<style>");
        out.println("body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}");
        out.println("table{border-collapse:collapse;margin:.5em 0 2em}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}");
        out.println("td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td.name{font-family:monospace;word-break:break-all}");
        out.println(".blocked{fill:#c62828;color:#c62828}.logged{fill:#f9a825;color:#b07800}.axis{stroke:#888}");
        out.println("svg text{font-size:11px;fill:#555}.legend span{display:inline-block;margin-right:1.5em}");
        out.println("</style></head><body>");
        out.println("<h1>" + TITLE + "</h1>");
        out.println("<p id=\"totals\">" + s.total.total() + " decisions: <b class=\"blocked\" id=\"total-blocked\">"
                + s.total.blocked + "</b> blocked, <b class=\"logged\" id=\"total-logged\">" + s.total.logged
                + "</b> logged, <span id=\"total-allowed\">" + s.total.allowed + "</span> allowed"
                + (s.first == null ? "" : ", from " + s.first + " to " + s.last + " (UTC)")
                + (s.ignored == 0 ? "" : "; " + s.ignored + " other events not counted") + ".</p>");
        chart(s, out);
        table(out, "by-rule", "By rule", "rule", s.byRule);
        table(out, "by-route", "By route", "route", s.byRoute);
        table(out, "by-key", "By API key", "key fingerprint", s.byKey);
        if (!s.perKey.isEmpty()) {
            out.println("<h2>Per API key, by rule and route</h2>");
            for (FindingSummary.KeyGroup key : s.perKey) {
                // the fingerprint is checked hex only where a policy names it; here it came from an event: escaped
                table(out, "key-" + HtmlText.escape(key.fingerprint()), "h3", "API key " + HtmlText.escape(key.label()),
                        "rule on route", key.rows());
            }
        }
        if (!s.byPrincipal.isEmpty()) {
            table(out, "by-principal", "By principal HostGuard cannot attribute", "principal type", s.byPrincipal);
            out.println("<p id=\"principal-advice\">" + HtmlText.escape(String.join(" ", UnattributedPrincipals.ADVICE))
                    + "</p>");
        }
        timeTable(s, out);
        out.println("</body></html>");
        out.flush();
    }

    private static void chart(FindingSummary s, PrintWriter out) {
        out.println("<h2>Findings over time (per " + TimeBuckets.label(s.bucketWidth) + ", UTC)</h2>");
        out.println("<p class=\"legend\"><span class=\"blocked\">&#9632; blocked</span><span class=\"logged\">&#9632; logged</span></p>");
        List<FindingSummary.Bucket> buckets = s.overTime;
        int most = Math.max(1, buckets.stream().mapToInt(b -> b.counts().findings()).max().orElse(0));
        double plotWidth = CHART_WIDTH - LEFT - RIGHT;
        double plotHeight = CHART_HEIGHT - TOP - BOTTOM;
        double slot = buckets.isEmpty() ? plotWidth : plotWidth / buckets.size();
        double barWidth = Math.min(48, Math.max(1, slot * 0.8));
        out.println("<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + CHART_WIDTH + "\" height=\""
                + CHART_HEIGHT + "\" viewBox=\"0 0 " + CHART_WIDTH + " " + CHART_HEIGHT + "\" role=\"img\""
                + " aria-label=\"findings over time, blocked and logged\">");
        double baseline = TOP + plotHeight;
        out.println(line(LEFT, baseline, LEFT + plotWidth, baseline) + line(LEFT, TOP, LEFT, baseline));
        out.println(text(LEFT - 6, TOP + 4, "end", String.valueOf(most)) + text(LEFT - 6, baseline, "end", "0"));
        for (int i = 0; i < buckets.size(); i++) {
            FindingSummary.Bucket b = buckets.get(i);
            double x = LEFT + i * slot + (slot - barWidth) / 2;
            String when = TimeBuckets.format(b.start(), s.bucketWidth);
            double blockedHeight = plotHeight * b.counts().blocked / most;
            double loggedHeight = plotHeight * b.counts().logged / most;
            bar(out, "blocked", x, baseline - blockedHeight, barWidth, blockedHeight, b.counts().blocked, when);
            bar(out, "logged", x, baseline - blockedHeight - loggedHeight, barWidth, loggedHeight, b.counts().logged, when);
        }
        if (!buckets.isEmpty()) {
            out.println(text(LEFT, baseline + 16, "start", TimeBuckets.format(buckets.get(0).start(), s.bucketWidth)));
            out.println(text(LEFT + plotWidth, baseline + 16, "end",
                    TimeBuckets.format(buckets.get(buckets.size() - 1).start(), s.bucketWidth)));
        }
        out.println("</svg>");
    }

    /** One bar of one decision in one bucket; none when the count is zero, so bars are exactly the non-empty ones. */
    private static void bar(PrintWriter out, String decision, double x, double y, double width, double height,
                            int count, String when) {
        if (count == 0) {
            return;
        }
        out.println("<rect class=\"bar " + decision + "\" data-count=\"" + count + "\" x=\"" + num(x) + "\" y=\""
                + num(y) + "\" width=\"" + num(width) + "\" height=\"" + num(Math.max(1, height)) + "\"><title>"
                + when + ": " + count + " " + decision + "</title></rect>");
    }

    private static void table(PrintWriter out, String id, String title, String nameHeader,
                              List<FindingSummary.Row> rows) {
        table(out, id, "h2", title, nameHeader, rows);
    }

    private static void table(PrintWriter out, String id, String heading, String title, String nameHeader,
                              List<FindingSummary.Row> rows) {
        out.println("<" + heading + ">" + title + "</" + heading + ">");
        out.println("<table id=\"" + id + "\"><thead><tr><th>" + nameHeader
                + "</th><th class=\"n\">blocked</th><th class=\"n\">logged</th><th class=\"n\">allowed</th></tr></thead><tbody>");
        for (FindingSummary.Row row : rows) {
            out.println("<tr><td class=\"name\">" + HtmlText.escape(row.name()) + "</td>" + counts(row.counts()) + "</tr>");
        }
        out.println("</tbody></table>");
    }

    private static void timeTable(FindingSummary s, PrintWriter out) {
        out.println("<h2>Over time</h2>");
        out.println("<table id=\"over-time\"><thead><tr><th>from (UTC, per " + TimeBuckets.label(s.bucketWidth)
                + ")</th><th class=\"n\">blocked</th><th class=\"n\">logged</th><th class=\"n\">allowed</th></tr></thead><tbody>");
        for (FindingSummary.Bucket b : s.overTime) {
            if (b.counts().total() > 0) {
                out.println("<tr><td>" + TimeBuckets.format(b.start(), s.bucketWidth) + "</td>" + counts(b.counts()) + "</tr>");
            }
        }
        out.println("</tbody></table>");
        if (s.untimed() > 0) {
            out.println("<p>" + s.untimed() + " decisions without a readable timestamp are not in the chart.</p>");
        }
    }

    private static String counts(Counts c) {
        return "<td class=\"n\">" + c.blocked + "</td><td class=\"n\">" + c.logged + "</td><td class=\"n\">"
                + c.allowed + "</td>";
    }

    private static String line(double x1, double y1, double x2, double y2) {
        return "<line class=\"axis\" x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\""
                + num(y2) + "\"/>";
    }

    private static String text(double x, double y, String anchor, String text) {
        return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor + "\">" + HtmlText.escape(text)
                + "</text>";
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
