package dev.hostguard.agent.cli.report;

import dev.hostguard.agent.cli.events.TerminalText;
import dev.hostguard.agent.cli.events.UnattributedPrincipals;
import java.io.PrintWriter;
import java.util.List;

/** The report as plain text, for a terminal: totals, then one table per view. Values from events are made safe. */
final class TextReport {
    private static final int NAME_WIDTH_LIMIT = 72;

    private TextReport() {
    }

    static void write(FindingSummary s, PrintWriter out) {
        out.println("HostGuard report: " + s.total.total() + " decisions: " + s.total.blocked + " blocked, "
                + s.total.logged + " logged, " + s.total.allowed + " allowed"
                + (s.first == null ? "" : "; " + s.first + " to " + s.last)
                + (s.ignored == 0 ? "" : "; " + s.ignored + " other events not counted"));
        table(out, "By rule", s.byRule);
        table(out, "By route", s.byRoute);
        table(out, "By API key (fingerprint)", s.byKey);
        for (FindingSummary.KeyGroup key : s.perKey) {
            table(out, "API key " + key.label() + ": by rule and route", key.rows());
        }
        if (!s.byPrincipal.isEmpty()) {
            table(out, "By principal HostGuard cannot attribute", s.byPrincipal);
            UnattributedPrincipals.ADVICE.forEach(out::println);
        }
        overTime(out, s);
        out.flush();
    }

    private static void table(PrintWriter out, String title, List<FindingSummary.Row> rows) {
        int width = Math.max(title.length(), rows.stream()
                .mapToInt(r -> Math.min(NAME_WIDTH_LIMIT, TerminalText.safe(r.name()).length())).max().orElse(0));
        out.println();
        out.printf("%-" + width + "s %8s %8s %8s%n", title, "blocked", "logged", "allowed");
        for (FindingSummary.Row row : rows) {
            out.printf("%-" + width + "s %8d %8d %8d%n", TerminalText.safe(row.name()), row.counts().blocked,
                    row.counts().logged, row.counts().allowed);
        }
    }

    private static void overTime(PrintWriter out, FindingSummary s) {
        out.println();
        String title = "Over time (UTC, per " + TimeBuckets.label(s.bucketWidth) + ")";
        String first = "%-" + Math.max(title.length(), 19) + "s";
        String row = first + " %8s %8s %8s  %s%n";
        out.printf(first + " %8s %8s %8s%n", title, "blocked", "logged", "allowed");
        int most = s.overTime.stream().mapToInt(b -> b.counts().findings()).max().orElse(0);
        for (FindingSummary.Bucket b : s.overTime) {
            if (b.counts().total() == 0) {
                continue; // quiet periods: the HTML chart shows them as gaps
            }
            // a bar of at most 30 characters: '#' blocked, '+' logged
            int blocked = scale(b.counts().blocked, most);
            int logged = scale(b.counts().findings(), most) - blocked;
            out.printf(row, TimeBuckets.format(b.start(), s.bucketWidth), b.counts().blocked, b.counts().logged,
                    b.counts().allowed, "#".repeat(blocked) + "+".repeat(Math.max(0, logged)));
        }
        if (s.untimed() > 0) {
            out.println(s.untimed() + " decisions without a readable @timestamp are not in this table");
        }
        out.println("(bars: # blocked, + logged; periods without events left out)");
    }

    private static int scale(int n, int most) {
        return most == 0 ? 0 : (int) Math.round(30.0 * n / most);
    }
}
