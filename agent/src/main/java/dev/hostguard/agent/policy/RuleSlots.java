package dev.hostguard.agent.policy;

import java.util.Arrays;
import java.util.Set;

/**
 * For each {@link FileAccess} (by ordinal), the index of the first rule that applies, or {@link #NONE}.
 * Rules are numbered in the order they were added, so "the first rule that matches" is the smallest index
 * found anywhere on the path: combining matches is a {@code min}, with nothing to allocate.
 */
final class RuleSlots {
    static final int NONE = Integer.MAX_VALUE;

    private static final int ACCESSES = FileAccess.values().length;

    private RuleSlots() {
    }

    static int[] none() {
        int[] slots = new int[ACCESSES];
        Arrays.fill(slots, NONE);
        return slots;
    }

    static int[] of(int rule, Set<FileAccess> accesses) {
        int[] slots = none();
        add(slots, rule, accesses);
        return slots;
    }

    static void add(int[] slots, int rule, Set<FileAccess> accesses) {
        for (FileAccess access : accesses) {
            slots[access.ordinal()] = Math.min(slots[access.ordinal()], rule);
        }
    }

    static void addAll(int[] into, int[] from) {
        for (int i = 0; i < ACCESSES; i++) {
            into[i] = Math.min(into[i], from[i]);
        }
    }
}
