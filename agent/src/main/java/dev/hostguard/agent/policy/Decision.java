package dev.hostguard.agent.policy;

/**
 * What to do with an operation: let it go silently, let it go and log it, or refuse it and log it; or let it go
 * because an allow entry says so, with an event naming the entry.
 *
 * @param verdict the outcome
 * @param rule the id of the rule that matched; {@code null} when nothing matched
 * @param allowedBy the allow entry that let a finding go; {@code null} otherwise
 * @param byKey the {@code auth.keys} entry that set the action for the request's API key; {@code null} when the
 *     action is its authentication class's
 */
public record Decision(Verdict verdict, String rule, AllowEntry allowedBy, KeyAction byKey) {
    public static final Decision ALLOW = new Decision(Verdict.ALLOW, null, null, null);

    /** Ordered from the mildest: the milder of two is the smaller. */
    public enum Verdict {
        ALLOW,
        LOG,
        BLOCK;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Verdict milder(Verdict a, Verdict b) {
            return a.compareTo(b) <= 0 ? a : b;
        }
    }

    public Decision(Verdict verdict, String rule) {
        this(verdict, rule, null, null);
    }

    public Decision(Verdict verdict, String rule, AllowEntry allowedBy) {
        this(verdict, rule, allowedBy, null);
    }

    /** Nothing to write and nothing to refuse. */
    public boolean allowed() {
        return verdict == Verdict.ALLOW && allowedBy == null;
    }

    public boolean blocked() {
        return verdict == Verdict.BLOCK;
    }

    /** The {@code hostguard.decision} of the event: {@code blocked}, {@code logged} or {@code allowed}. */
    public String eventDecision() {
        return blocked() ? "blocked" : allowedBy != null ? "allowed" : "logged";
    }
}
