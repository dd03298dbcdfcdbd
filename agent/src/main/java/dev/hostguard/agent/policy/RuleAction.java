package dev.hostguard.agent.policy;

import java.util.Locale;

/** What a policy does with a rule: switch it off, make its findings only logged, or let them be blocked. */
public enum RuleAction {
    OFF,
    LOG,
    BLOCK;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The most a finding of a rule with this action can become. */
    Decision.Verdict ceiling() {
        return switch (this) {
            case OFF -> Decision.Verdict.ALLOW;
            case LOG -> Decision.Verdict.LOG;
            case BLOCK -> Decision.Verdict.BLOCK;
        };
    }
}
