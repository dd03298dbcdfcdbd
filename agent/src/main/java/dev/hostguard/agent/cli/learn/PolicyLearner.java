package dev.hostguard.agent.cli.learn;

import dev.hostguard.agent.cli.events.HostEvent;
import dev.hostguard.agent.cli.events.UnattributedPrincipals;
import dev.hostguard.agent.policy.CredentialSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Turns events into allow entries that allow exactly what was seen: one entry per route, operation and target
 * (an executable with its exact arguments, or a path), carrying the authentication classes and accesses seen.
 * Every decision counts (logged, blocked, allowed): the operator reviews the result, which is why it says how
 * often and when each entry was seen.
 */
public final class PolicyLearner {
    /** What a policy accepts as a key's name ({@code credentials.keys}). */
    private static final Pattern KEY_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final boolean perKey;
    private final Map<AllowEntry.Key, AllowEntry> entries = new TreeMap<>(AllowEntry.Key.ORDER);
    /** Per key fingerprint (per-key learning only): the name its events carry ({@code api_key.name}), if any. */
    private final Map<String, String> keysSeen = new TreeMap<>();
    private final Map<String, Integer> keyEvents = new TreeMap<>();
    private final UnattributedPrincipals principals = new UnattributedPrincipals();
    private int events;
    private int ignored;
    private Instant first;
    private Instant last;

    /** Learns one entry per route, operation and target, for every authentication class seen. */
    public PolicyLearner() {
        this(false);
    }

    /** @param perKey whether an api-key request's operations are learned per key fingerprint ({@code --per-key}) */
    public PolicyLearner(boolean perKey) {
        this.perKey = perKey;
    }

    /** Adds one event; events that judge no host operation (or lack its target) are counted as ignored. */
    public void add(HostEvent event) {
        AllowEntry.Key key = event.isOperation() ? AllowEntry.Key.of(event, perKey) : null;
        if (key == null) {
            ignored++;
            return;
        }
        if (key.key() != null) {
            String name = event.text("api_key.name");
            keysSeen.merge(key.key(), name == null ? "" : name, (was, now) -> was.isEmpty() ? now : was);
            keyEvents.merge(key.key(), 1, Integer::sum);
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

    /**
     * The keys entries were learned for, fingerprint to name, by fingerprint: the name a policy gave it before
     * ({@code api_key.name} in its events) when that is a valid name no other key has, else {@code key-1},
     * {@code key-2}... in fingerprint order.
     */
    Map<String, String> keyNames() {
        Map<String, String> names = new LinkedHashMap<>();
        Set<String> taken = new HashSet<>();
        keysSeen.forEach((fingerprint, name) -> {
            boolean usable = KEY_NAME.matcher(name).matches() && !CredentialSettings.isFingerprint(name)
                    && taken.add(name);
            names.put(fingerprint, usable ? name : null);
        });
        int n = 0;
        for (Map.Entry<String, String> e : names.entrySet()) {
            if (e.getValue() == null) {
                String name;
                do {
                    name = "key-" + ++n;
                } while (taken.contains(name));
                taken.add(name);
                e.setValue(name);
            }
        }
        return names;
    }

    boolean perKey() {
        return perKey;
    }

    /** How many events a key's entries were learned from. */
    int keyEvents(String fingerprint) {
        return keyEvents.getOrDefault(fingerprint, 0);
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
