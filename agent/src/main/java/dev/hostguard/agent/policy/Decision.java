package dev.hostguard.agent.policy;

/**
 * What to do with an operation: let it go silently, let it go and log it, or refuse it and log it.
 *
 * @param verdict the outcome
 * @param rule the id of the rule that matched; {@code null} when nothing matched
 */
public record Decision(Verdict verdict, String rule) {
    public static final Decision ALLOW = new Decision(Verdict.ALLOW, null);

    public enum Verdict {
        ALLOW,
        LOG,
        BLOCK
    }

    public boolean allowed() {
        return verdict == Verdict.ALLOW;
    }

    public boolean blocked() {
        return verdict == Verdict.BLOCK;
    }

    /** The {@code hostguard.decision} of the event: {@code blocked} or {@code logged}. */
    public String eventDecision() {
        return blocked() ? "blocked" : "logged";
    }
}
