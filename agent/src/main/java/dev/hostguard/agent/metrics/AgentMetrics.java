package dev.hostguard.agent.metrics;

import dev.hostguard.agent.policy.AuthClass;
import dev.hostguard.agent.policy.Decision;
import dev.hostguard.agent.policy.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * The agent's counters: decisions by rule, authentication class, decision and mode; events the rate limit held
 * back, by rule; events the sink dropped; hook failures; policy reloads, refused policies and tampering. One per
 * JVM, always counting (a counter is bumped only where an event is decided, never on the allowed path: a map read
 * by the rule's id, whose hash the string keeps, and an atomic add; nothing allocated after a rule's first
 * finding); read by {@link MetricsExposure} only when the {@code metrics} option asks for it.
 */
public final class AgentMetrics {
    public static final AgentMetrics INSTANCE = new AgentMetrics();

    /** The authentication classes of a counter, the last one for an operation outside any request. */
    static final String[] AUTHS;
    static final String[] DECISIONS = {"logged", "blocked", "allowed"};
    static final String[] MODES = {"audit", "block"};

    static {
        AuthClass[] classes = AuthClass.values();
        AUTHS = new String[classes.length + 1];
        for (int i = 0; i < classes.length; i++) {
            AUTHS[i] = classes[i].label();
        }
        AUTHS[classes.length] = "outside-request";
    }

    private final ConcurrentHashMap<String, RuleCounters> rules = new ConcurrentHashMap<>();
    private final AtomicLong hookFailures = new AtomicLong();
    private final AtomicLong policyReloads = new AtomicLong();
    private final AtomicLong policyErrors = new AtomicLong();
    private final AtomicLong policyTampered = new AtomicLong();
    private final AtomicLong tamperAttempts = new AtomicLong();
    private volatile LongSupplier droppedQueueFull = ZERO;
    private volatile LongSupplier droppedWriteFailed = ZERO;
    /** Told when a series counts its first; {@code null} unless Micrometer is asked for ({@link MicrometerMeters}). */
    private volatile Runnable seriesAdded;

    private static final LongSupplier ZERO = new LongSupplier() { // not a lambda: loaded at start-up
        @Override
        public long getAsLong() {
            return 0;
        }
    };

    AgentMetrics() {
    }

    /** Counts a decided finding (not called for an operation no rule minds). */
    public void decided(Decision decision, AuthClass auth, Mode mode) {
        int decisionIndex = decision.blocked() ? 1 : decision.allowedBy() != null ? 2 : 0;
        int authIndex = auth == null ? AUTHS.length - 1 : auth.ordinal();
        int modeIndex = mode == Mode.BLOCK ? 1 : 0;
        if (rule(decision.rule()).decisions.incrementAndGet((authIndex * DECISIONS.length + decisionIndex)
                * MODES.length + modeIndex) == 1) {
            seriesAdded();
        }
    }

    /** Counts an event of {@code rule} the rate limit held back. */
    public void suppressed(String rule) {
        if (rule(rule).suppressed.incrementAndGet() == 1) {
            seriesAdded();
        }
    }

    private void seriesAdded() {
        Runnable listener = seriesAdded;
        if (listener != null) {
            listener.run();
        }
    }

    /** Tells {@code listener}, on the counting thread, of each series' first count (it must return at once). */
    void onSeriesAdded(Runnable listener) {
        seriesAdded = listener;
    }

    public void hookFailed() {
        hookFailures.incrementAndGet();
    }

    public void policyReloaded() {
        policyReloads.incrementAndGet();
    }

    public void policyError() {
        policyErrors.incrementAndGet();
    }

    public void policyTampered() {
        policyTampered.incrementAndGet();
    }

    /** Counts a tamper attempt refused or a change the self-check found (each one, written or rate-limited). */
    public void tamperAttempt() {
        tamperAttempts.incrementAndGet();
    }

    /** Where the sink's drops are read (they are counted by the sink). */
    public void sinkDrops(LongSupplier queueFull, LongSupplier writeFailed) {
        droppedQueueFull = queueFull;
        droppedWriteFailed = writeFailed;
    }

    private RuleCounters rule(String rule) {
        String id = rule == null ? "none" : rule;
        RuleCounters counters = rules.get(id);
        if (counters == null) {
            RuleCounters fresh = new RuleCounters();
            counters = rules.putIfAbsent(id, fresh);
            if (counters == null) {
                counters = fresh;
            }
        }
        return counters;
    }

    /** Every counter with a value, in a stable order: decisions by labels, then the others. */
    public Snapshot snapshot() {
        List<Decisions> decisions = new ArrayList<>();
        Map<String, Long> suppressed = new TreeMap<>();
        for (Map.Entry<String, RuleCounters> e : new TreeMap<>(rules).entrySet()) {
            AtomicLongArray counts = e.getValue().decisions;
            for (int a = 0; a < AUTHS.length; a++) {
                for (int d = 0; d < DECISIONS.length; d++) {
                    for (int m = 0; m < MODES.length; m++) {
                        long n = counts.get((a * DECISIONS.length + d) * MODES.length + m);
                        if (n > 0) {
                            decisions.add(new Decisions(e.getKey(), AUTHS[a], DECISIONS[d], MODES[m], n));
                        }
                    }
                }
            }
            long held = e.getValue().suppressed.get();
            if (held > 0) {
                suppressed.put(e.getKey(), held);
            }
        }
        return new Snapshot(decisions, suppressed, droppedQueueFull.getAsLong(), droppedWriteFailed.getAsLong(),
                hookFailures.get(), policyReloads.get(), policyErrors.get(), policyTampered.get(), tamperAttempts.get());
    }

    /**
     * Every series with a value, each reading its counter live: the decisions and suppressed counts of each rule
     * that has any, then the sink's drops and the agent's own counters (always, zero or not); by family, in a
     * stable order.
     */
    List<Series> series() {
        Map<String, RuleCounters> byRule = new TreeMap<>(rules);
        List<Series> all = new ArrayList<>();
        for (Map.Entry<String, RuleCounters> e : byRule.entrySet()) {
            AtomicLongArray counts = e.getValue().decisions;
            for (int a = 0; a < AUTHS.length; a++) {
                for (int d = 0; d < DECISIONS.length; d++) {
                    for (int m = 0; m < MODES.length; m++) {
                        int index = (a * DECISIONS.length + d) * MODES.length + m;
                        if (counts.get(index) > 0) {
                            all.add(new Series(MetricFamily.DECISIONS, List.of("rule", e.getKey(), "auth", AUTHS[a],
                                    "decision", DECISIONS[d], "mode", MODES[m]), () -> counts.get(index)));
                        }
                    }
                }
            }
        }
        for (Map.Entry<String, RuleCounters> e : byRule.entrySet()) {
            AtomicLong held = e.getValue().suppressed;
            if (held.get() > 0) {
                all.add(new Series(MetricFamily.EVENTS_SUPPRESSED, List.of("rule", e.getKey()), held::get));
            }
        }
        all.add(new Series(MetricFamily.EVENTS_DROPPED, List.of("reason", "queue_full"),
                () -> droppedQueueFull.getAsLong()));
        all.add(new Series(MetricFamily.EVENTS_DROPPED, List.of("reason", "write_failed"),
                () -> droppedWriteFailed.getAsLong()));
        all.add(new Series(MetricFamily.HOOK_FAILURES, List.of(), hookFailures::get));
        all.add(new Series(MetricFamily.POLICY_RELOADS, List.of(), policyReloads::get));
        all.add(new Series(MetricFamily.POLICY_ERRORS, List.of(), policyErrors::get));
        all.add(new Series(MetricFamily.POLICY_TAMPERED, List.of(), policyTampered::get));
        all.add(new Series(MetricFamily.TAMPER, List.of(), tamperAttempts::get));
        return all;
    }

    /**
     * One counter series: its family, its tags (name, value, name, value, ...) and its live value.
     */
    record Series(MetricFamily family, List<String> tags, LongSupplier value) {
        /** The family's name and the tags: what tells one series from another. */
        String key() {
            return family.dotted() + tags;
        }
    }

    private static final class RuleCounters {
        final AtomicLongArray decisions = new AtomicLongArray(AUTHS.length * DECISIONS.length * MODES.length);
        final AtomicLong suppressed = new AtomicLong();
    }

    /** One decisions counter: its labels and value. */
    public record Decisions(String rule, String auth, String decision, String mode, long count) {
    }

    /** The counters at one moment. */
    public record Snapshot(List<Decisions> decisions, Map<String, Long> suppressed, long droppedQueueFull,
                           long droppedWriteFailed, long hookFailures, long policyReloads, long policyErrors,
                           long policyTampered, long tamperAttempts) {
        public long decisions(String rule, String auth, String decision, String mode) {
            long n = 0;
            for (Decisions d : decisions) {
                if (d.rule().equals(rule) && d.auth().equals(auth) && d.decision().equals(decision)
                        && d.mode().equals(mode)) {
                    n += d.count();
                }
            }
            return n;
        }
    }
}
