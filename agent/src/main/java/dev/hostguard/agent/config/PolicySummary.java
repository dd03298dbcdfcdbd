package dev.hostguard.agent.config;

import dev.hostguard.agent.policy.AllowEntry;
import dev.hostguard.agent.policy.AuthClass;
import dev.hostguard.agent.policy.CredentialSettings;
import dev.hostguard.agent.policy.Policy;
import dev.hostguard.agent.policy.PolicyEngine;
import dev.hostguard.agent.policy.PrincipalPatterns;
import dev.hostguard.agent.policy.Rule;
import dev.hostguard.agent.policy.RuleAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** What a valid policy does, in a few lines an operator can review before deploying it ({@code check}). */
public final class PolicySummary {
    private PolicySummary() {
    }

    public static List<String> of(PolicyFile file) {
        Policy policy = file.policy();
        // compiled as the agent would compile it (host mounts are only known inside the container)
        PolicyEngine engine = new PolicyEngine(policy,
                policy.mode() != null ? policy.mode() : dev.hostguard.agent.policy.Mode.AUDIT, List.of());
        List<String> lines = new ArrayList<>();
        lines.add("valid policy " + file.path() + " (sha256 " + file.sha256() + ")");
        lines.add("mode: " + (policy.mode() == null ? "audit (not set; the default)" : policy.mode().label())
                + "; an explicit mode option wins over it");
        StringBuilder auth = new StringBuilder("auth:");
        for (AuthClass c : AuthClass.values()) {
            auth.append(' ').append(c.label()).append('=').append(policy.auth().get(c).label());
        }
        auth.append(' ').append(PolicyEngine.OUTSIDE_REQUEST).append('=').append(policy.outsideRequest() == null
                ? "default (process starts, native code, JVM diagnostics: log)" : policy.outsideRequest().label());
        if (!policy.keyActions().isEmpty()) {
            auth.append("; keys:");
            for (dev.hostguard.agent.policy.KeyAction key : policy.keyActions()) {
                auth.append(' ').append(keyLabel(key.fingerprint(), policy.credentials())).append('=')
                        .append(key.verdict().label());
            }
        }
        lines.add(auth.toString());
        lines.add(credentials(policy.credentials()));
        Map<String, RuleAction> actions = engine.ruleActions();
        List<String> added = engine.addedRules().stream().map(Rule::id).toList();
        lines.add("rules changed: " + (actions.isEmpty() ? "none" : actions.entrySet().stream()
                .filter(e -> !added.contains(e.getKey()))
                .map(e -> e.getKey() + "=" + e.getValue().label()).collect(Collectors.joining(", "))));
        lines.add("rules added: " + (added.isEmpty() ? "none" : engine.addedRules().stream()
                .map(r -> r.id() + " (" + r.category() + ", " + actions.get(r.id()).label() + ")")
                .collect(Collectors.joining(", "))));
        List<String> endpoints = new ArrayList<>();
        for (dev.hostguard.agent.policy.RuleEntry entry : policy.rules()) {
            for (dev.hostguard.agent.policy.Endpoint endpoint : entry.endpoints()) {
                endpoints.add(entry.id() + " " + endpoint.text());
            }
        }
        if (!endpoints.isEmpty()) {
            lines.add("endpoints added: " + String.join(", ", endpoints));
        }
        lines.add("allow entries: " + (policy.allow().isEmpty() ? "none" : policy.allow().size()));
        for (AllowEntry entry : policy.allow()) {
            lines.add("  " + entry.index() + ". " + describe(entry, policy.credentials()) + " -- " + entry.reason());
        }
        lines.add("events: sink " + (policy.events().sink() == null ? "stdout (not set)" : policy.events().sink())
                + ", rate limit " + policy.events().perSecond() + "/s per rule, stack depth "
                + policy.events().stackDepth());
        lines.add("response: " + policy.response().status() + " " + policy.response().contentType());
        return lines;
    }

    static String describe(AllowEntry e) {
        return describe(e, CredentialSettings.DEFAULTS);
    }

    /** A key as {@code check} names it: {@code name (fingerprint)}, or the fingerprint when the policy names none. */
    private static String keyLabel(String fingerprint, CredentialSettings credentials) {
        String name = credentials.keyName(fingerprint);
        return name == null ? fingerprint : name + " (" + fingerprint + ")";
    }

    static String describe(AllowEntry e, CredentialSettings credentials) {
        StringBuilder s = new StringBuilder(e.operation().eventAction());
        if (e.executable() != null) {
            s.append(' ').append(e.executable());
            s.append(e.args() == null ? " (any arguments)"
                    : " " + e.args().stream().map(g -> g.written().isEmpty() ? "\"\"" : g.written()).collect(Collectors.joining(" ", "[", "]")));
        }
        if (e.path() != null) {
            s.append(' ').append(e.path());
            if (e.operation() == dev.hostguard.agent.policy.Action.FILE_OPEN) {
                s.append(' ').append(e.accesses().stream().map(a -> a.label()).sorted().toList());
            }
        }
        if (e.endpoint() != null) {
            s.append(' ').append(e.endpoint().text());
        }
        if (e.executable() == null && e.args() != null) { // a diagnostic's kind, a signal entry's signals
            s.append(' ').append(e.args().stream().map(g -> g.written()).collect(Collectors.joining("|", "[", "]")));
        } else if (e.executable() == null && e.operation() == dev.hostguard.agent.policy.Action.PROCESS_SIGNAL) {
            s.append(" (any signal)");
        }
        s.append(" on ").append(e.routePath() == null ? "any route"
                : (e.routeMethod() == null ? "*" : e.routeMethod()) + " " + e.routePath());
        if (!e.auth().isEmpty()) {
            s.append(", auth ").append(String.join("|", e.auth()));
        }
        if (!e.keys().isEmpty()) {
            s.append(", key ").append(e.keys().stream().sorted().map(k -> keyLabel(k, credentials))
                    .collect(Collectors.joining("|")));
        }
        if (e.caller() != null) {
            s.append(", caller ").append(e.caller());
        }
        return s.toString();
    }

    /** What {@code credentials} says: the key lists (the defaults and what the policy adds, or its own) and principals. */
    private static String credentials(CredentialSettings c) {
        StringBuilder line = new StringBuilder("credentials: ")
                .append(c.replacesDefaults() ? "the policy's own lists (replace-defaults: true): "
                        : "the defaults and what the policy adds: ")
                .append("headers ").append(c.headers()).append(", authorization schemes ")
                .append(c.authorizationSchemes()).append(", query parameters ").append(c.queryParameters());
        principals(line, "api-key principals", c.apiKeyPrincipals());
        principals(line, "person principals", c.personPrincipals());
        if (!c.keys().isEmpty()) {
            line.append("; keys: ").append(c.keys().entrySet().stream().map(k -> k.getKey() + "=" + k.getValue())
                    .collect(Collectors.joining(", ")));
        }
        line.append("; bearer tokens: ").append(c.bearerTokens().ownerIsPerson() ? "a person's"
                : c.bearerTokens().personClaims().isEmpty() ? "a client's"
                : "a person's with claim " + String.join(" or ", c.bearerTokens().personClaims()) + ", else a client's");
        return line.toString();
    }

    private static void principals(StringBuilder line, String what, PrincipalPatterns patterns) {
        if (!patterns.isEmpty()) {
            line.append("; ").append(what).append(": names ").append(patterns.names()).append(" classes ")
                    .append(patterns.classes());
        }
    }
}
