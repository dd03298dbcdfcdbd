package dev.hostguard.agent.policy;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A policy as written in a policy file (see {@code examples/policy.yaml}), parsed and validated; compiled into a
 * {@link PolicyEngine}. Plain data.
 *
 * @param mode the mode the file asks for; {@code null} when it names none
 * @param auth the action per authentication class (every class present)
 * @param outsideRequest the action for operations outside any request; {@code null} when the policy sets none:
 *     then the container-escape operations (process starts, native code, JVM diagnostics) are logged once the
 *     service has served its first request, and nothing else is judged
 *     ({@link PolicyEngine#logsOutsideEscapes()})
 * @param keyActions {@code auth.keys}: the action for single API keys, in place of the {@code api-key} one
 */
public record Policy(Mode mode, Map<AuthClass, Decision.Verdict> auth, Decision.Verdict outsideRequest,
                     List<KeyAction> keyActions, CredentialSettings credentials, List<RuleEntry> rules, List<AllowEntry> allow,
                     EventSettings events, ResponseTemplate response) {

    /**
     * What runs without a policy file: API-key and unauthenticated requests guarded, consumed messages logged,
     * container-escape operations outside requests logged once requests are served, the rest allowed.
     */
    public static final Policy DEFAULT = new Policy(null, defaultAuth(), null,
            List.of(), CredentialSettings.DEFAULTS, List.of(), List.of(), EventSettings.DEFAULTS, ResponseTemplate.DEFAULT);

    public Policy {
        EnumMap<AuthClass, Decision.Verdict> copy = new EnumMap<>(defaultAuth());
        copy.putAll(auth);
        auth = Collections.unmodifiableMap(copy);
        keyActions = List.copyOf(keyActions);
        rules = List.copyOf(rules);
        allow = List.copyOf(allow);
    }

    public static Map<AuthClass, Decision.Verdict> defaultAuth() {
        EnumMap<AuthClass, Decision.Verdict> auth = new EnumMap<>(AuthClass.class);
        auth.put(AuthClass.API_KEY, Decision.Verdict.BLOCK);
        auth.put(AuthClass.NONE, Decision.Verdict.BLOCK);
        auth.put(AuthClass.USER, Decision.Verdict.ALLOW);
        auth.put(AuthClass.MTLS, Decision.Verdict.ALLOW);
        auth.put(AuthClass.MESSAGE, Decision.Verdict.LOG);
        return auth;
    }
}
