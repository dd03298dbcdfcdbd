package dev.hostguard.agent.cli.events;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The principal types events name as unattributed ({@code hostguard.principal_type}): requests the agent classed
 * {@code api-key} because it could not attribute their principal to a person's login. Only the policy can say whose
 * such a principal is, so learn and report point at the setting that does.
 */
public final class UnattributedPrincipals {
    /** What to do about them, in lines, for a comment or a paragraph. */
    public static final List<String> ADVICE = List.of(
            "Requests with these principals were classed api-key: HostGuard cannot attribute them to a person's",
            "login. If one stands for a person's login, name its class in credentials.person-principals (a",
            "resource server's bearer token: credentials.bearer-tokens); if it stands for a key, name it in",
            "credentials.api-key-principals to say so outright.");

    private final Map<String, Integer> counts = new TreeMap<>();

    public void add(HostEvent event) {
        String type = event.text("hostguard.principal_type");
        if (type != null && !type.isEmpty()) {
            counts.merge(type, 1, Integer::sum);
        }
    }

    /** Principal type to the number of events, by type name. */
    public Map<String, Integer> counts() {
        return counts;
    }
}
