package dev.hostguard.agent.policy;

import java.util.EnumSet;
import java.util.Set;

/**
 * Decides what happens to a host operation made inside a request. Plain Java, no instrumentation: the hooks
 * hand it an operation, already matched against the rules, and the request's authentication class.
 *
 * <p>Default policy: inside a request that carries only an API key, or nothing, every operation that matched a
 * rule is a finding (every process start matches {@link Operation#PROCESS_START_RULE}); a logged-in user or a
 * verified client certificate runs freely.
 */
public final class PolicyEngine {
    private static final Set<AuthClass> GUARDED = EnumSet.of(AuthClass.API_KEY, AuthClass.NONE);

    private final Mode mode;

    public PolicyEngine(Mode mode) {
        if (mode == Mode.OFF) {
            throw new IllegalArgumentException("mode off installs no policy");
        }
        this.mode = mode;
    }

    public Mode mode() {
        return mode;
    }

    /** Whether operations of requests of this authentication class are judged at all. */
    public boolean guards(AuthClass auth) {
        return GUARDED.contains(auth);
    }

    public Decision decide(Operation operation, AuthClass auth) {
        if (operation.rule() == null || !guards(auth)) {
            return Decision.ALLOW;
        }
        return new Decision(mode == Mode.BLOCK ? Decision.Verdict.BLOCK : Decision.Verdict.LOG,
                operation.rule().id());
    }
}
