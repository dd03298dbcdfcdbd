package dev.hostguard.agent.cli.report;

import dev.hostguard.agent.cli.events.HostEvent;
import dev.hostguard.agent.cli.events.UnattributedPrincipals;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What the report shows, computed once for the text and the HTML: decisions per rule, per route, per API-key
 * fingerprint, per unattributed principal type ({@link UnattributedPrincipals}), and per time bucket. Rows are ordered by findings (blocked + logged), most first, then by name, so
 * the same events always give the same report.
 */
final class FindingSummary {
    /** One row: a name (rule, route, fingerprint) and its counts. */
    record Row(String name, Counts counts) {
        static final Comparator<Row> ORDER = Comparator.comparingInt((Row r) -> -r.counts().findings())
                .thenComparingInt(r -> -r.counts().total())
                .thenComparing(Row::name);
    }

    /**
     * One API key's findings, grouped by rule and route: what each client did, which a per-key allow entry names.
     *
     * @param fingerprint the key's fingerprint
     * @param name the name a policy gives it ({@code api_key.name}); {@code null} when none
     * @param rows its decisions by rule and route ({@code "process-start on POST /admin/backup"})
     */
    record KeyGroup(String fingerprint, String name, Counts counts, List<Row> rows) {
        /** The fingerprint, and the name when there is one: {@code 3f2a9c1e7b04 (ci-bot)}. */
        String label() {
            return name == null ? fingerprint : fingerprint + " (" + name + ")";
        }
    }

    /** One time bucket: its start and its counts (empty buckets included, so the chart shows quiet periods). */
    record Bucket(Instant start, Counts counts) {
    }

    static final String NO_ROUTE = "(outside any request)";
    static final String NO_KEY = "(no API key)";
    static final String NO_RULE = "(no rule)";

    final Counts total = new Counts();
    final List<Row> byRule;
    final List<Row> byRoute;
    final List<Row> byKey;
    /** Per API key (in the order of {@link #byKey}), its findings by rule and route. */
    final List<KeyGroup> perKey;
    /** Principals that made requests api-key unattributed, with their counts; empty when none. */
    final List<Row> byPrincipal;
    final List<Bucket> overTime;
    final Duration bucketWidth;
    final Instant first;
    final Instant last;
    final int ignored;

    private FindingSummary(List<HostEvent> operations, int ignored) {
        this.ignored = ignored;
        operations.forEach(e -> total.add(e.decision()));
        byRule = rows(operations, e -> orElse(e.text("hostguard.rule"), NO_RULE));
        byRoute = rows(operations, e -> orElse(e.route(), NO_ROUTE));
        Map<String, String> keyNames = new HashMap<>();
        operations.forEach(e -> {
            String fingerprint = e.text("api_key.fingerprint");
            String name = e.text("api_key.name");
            if (fingerprint != null && name != null) {
                keyNames.putIfAbsent(fingerprint, name);
            }
        });
        byKey = rows(operations, e -> {
            String fingerprint = e.text("api_key.fingerprint");
            return fingerprint == null || fingerprint.isEmpty() ? NO_KEY
                    : keyNames.containsKey(fingerprint) ? fingerprint + " (" + keyNames.get(fingerprint) + ")"
                    : fingerprint;
        });
        perKey = keyGroups(operations, keyNames);
        byPrincipal = rows(operations.stream().filter(e -> e.text("hostguard.principal_type") != null).toList(),
                e -> e.text("hostguard.principal_type"));
        List<Instant> times = operations.stream().map(HostEvent::timestamp).filter(t -> t != null).sorted().toList();
        first = times.isEmpty() ? null : times.get(0);
        last = times.isEmpty() ? null : times.get(times.size() - 1);
        bucketWidth = first == null ? Duration.ofMinutes(1) : TimeBuckets.widthFor(first, last);
        overTime = buckets(operations);
    }

    /** The summary of the decisions among {@code events}; other events are only counted. */
    static FindingSummary of(List<HostEvent> events) {
        List<HostEvent> operations = events.stream().filter(HostEvent::isOperation).toList();
        return new FindingSummary(operations, events.size() - operations.size());
    }

    private static List<Row> rows(List<HostEvent> events, Function<HostEvent, String> name) {
        Map<String, Counts> counts = new HashMap<>();
        events.forEach(e -> counts.computeIfAbsent(name.apply(e), k -> new Counts()).add(e.decision()));
        List<Row> rows = new ArrayList<>();
        counts.forEach((k, v) -> rows.add(new Row(k, v)));
        rows.sort(Row.ORDER);
        return List.copyOf(rows);
    }

    /** Each key's decisions by rule and route, the keys ordered as their rows in {@link #byKey}. */
    private List<KeyGroup> keyGroups(List<HostEvent> operations, Map<String, String> keyNames) {
        Map<String, List<HostEvent>> byFingerprint = new HashMap<>();
        for (HostEvent e : operations) {
            String fingerprint = e.text("api_key.fingerprint");
            if (fingerprint != null && !fingerprint.isEmpty()) {
                byFingerprint.computeIfAbsent(fingerprint, k -> new ArrayList<>()).add(e);
            }
        }
        List<KeyGroup> groups = new ArrayList<>();
        byFingerprint.forEach((fingerprint, events) -> {
            Counts counts = new Counts();
            events.forEach(e -> counts.add(e.decision()));
            groups.add(new KeyGroup(fingerprint, keyNames.get(fingerprint), counts, rows(events,
                    e -> orElse(e.text("hostguard.rule"), NO_RULE) + " on " + orElse(e.route(), NO_ROUTE))));
        });
        groups.sort(Comparator.comparingInt((KeyGroup g) -> -g.counts().findings())
                .thenComparingInt(g -> -g.counts().total()).thenComparing(KeyGroup::fingerprint));
        return List.copyOf(groups);
    }

    private List<Bucket> buckets(List<HostEvent> events) {
        if (first == null) {
            return List.of();
        }
        Instant origin = TimeBuckets.start(first, bucketWidth);
        int n = TimeBuckets.index(last, origin, bucketWidth) + 1;
        List<Bucket> buckets = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            buckets.add(new Bucket(origin.plus(bucketWidth.multipliedBy(i)), new Counts()));
        }
        for (HostEvent e : events) {
            Instant at = e.timestamp();
            if (at != null) {
                buckets.get(TimeBuckets.index(at, origin, bucketWidth)).counts().add(e.decision());
            }
        }
        return List.copyOf(buckets);
    }

    /** How many events had no readable timestamp (not in the over-time rows). */
    int untimed() {
        return total.total() - overTime.stream().mapToInt(b -> b.counts().total()).sum();
    }

    private static String orElse(String value, String fallback) {
        return value == null || value.isEmpty() ? fallback : value;
    }
}
