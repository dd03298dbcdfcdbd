package dev.hostguard.agent.cli.learn;

import dev.hostguard.agent.cli.events.HostEvent;
import dev.hostguard.agent.cli.events.UnattributedPrincipals;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns events into allow entries that allow exactly what was seen: one entry per route, operation and target
 * (an executable with its exact arguments, or a path), carrying the authentication classes and accesses seen.
 * Every decision counts (logged, blocked, allowed): the operator reviews the result, which is why it says how
 * often and when each entry was seen.
 */
public final class PolicyLearner {
    private final Map<AllowEntry.Key, AllowEntry> entries = new TreeMap<>(AllowEntry.Key.ORDER);
    private final UnattributedPrincipals principals = new UnattributedPrincipals();
    private int events;
    private int ignored;
    private Instant first;
    private Instant last;

    /** Adds one event; events that judge no host operation (or lack its target) are counted as ignored. */
    public void add(HostEvent event) {
        AllowEntry.Key key = event.isOperation() ? AllowEntry.Key.of(event) : null;
        if (key == null) {
            ignored++;
            return;
        }
        events++;
        principals.add(event);
        entries.computeIfAbsent(key, AllowEntry::new).add(event);
        Instant at = event.timestamp();
        if (at != null) {
            first = first == null || at.isBefore(first) ? at : first;
            last = last == null || at.isAfter(last) ? at : last;
        }
    }

    /** The entries, in the policy's order: by route (outside any request first), operation, target. */
    List<AllowEntry> entries() {
        return new ArrayList<>(entries.values());
    }

    UnattributedPrincipals principals() {
        return principals;
    }

    int events() {
        return events;
    }

    int ignored() {
        return ignored;
    }

    Instant first() {
        return first;
    }

    Instant last() {
        return last;
    }
}
