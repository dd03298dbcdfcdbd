package dev.hostguard.agent.policy;

import java.util.List;
import java.util.Set;

/**
 * One entry of a policy's {@code rules}: an override of a default rule (by id) or of a whole category, or a
 * rule of the policy's own (an id not in the ruleset, with paths, sockets, commands or endpoints). Validated when
 * parsed.
 *
 * @param id the rule's id; {@code null} for a category override
 * @param category the category overridden, or the category of a rule of one's own
 * @param action {@code null} when the entry does not change the action
 * @param accesses the accesses its {@code paths} apply to
 * @param endpoints network endpoints (hosts, networks, names, ports) its connects match
 */
public record RuleEntry(String id, String category, String description, List<String> paths,
                        Set<FileAccess> accesses, List<String> sockets, List<String> commands, RuleAction action,
                        List<Endpoint> endpoints) {

    public RuleEntry {
        paths = List.copyOf(paths);
        accesses = Set.copyOf(accesses);
        sockets = List.copyOf(sockets);
        commands = List.copyOf(commands);
        endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
    }

    /** An entry without endpoints. */
    public RuleEntry(String id, String category, String description, List<String> paths, Set<FileAccess> accesses,
                     List<String> sockets, List<String> commands, RuleAction action) {
        this(id, category, description, paths, accesses, sockets, commands, action, List.of());
    }

    /** Whether it adds patterns (paths, sockets, commands, endpoints), so may define a rule of its own. */
    public boolean addsPatterns() {
        return !paths.isEmpty() || !sockets.isEmpty() || !commands.isEmpty() || !endpoints.isEmpty();
    }
}
