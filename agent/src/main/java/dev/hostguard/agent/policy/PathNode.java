package dev.hostguard.agent.policy;

import dev.hostguard.agent.path.ProcNames;
import java.util.Arrays;

/**
 * One level of the component trie that path rules compile to: the rules that match a path ending here
 * ({@link #here}), the rules that match here and everything below ({@link #below}), and the ways down.
 *
 * <p>The walk is deterministic and never backtracks: a {@code *} child is merged into its literal siblings when
 * the trie is built ({@link #determinise}), and {@code /proc}'s process directories ({@code <pid>},
 * {@code self}, {@code thread-self}, and {@code task/<tid>} below them) all lead to one node.
 */
final class PathNode {
    final NameTable<PathNode> children = new NameTable<>();
    final int[] here = RuleSlots.none();
    final int[] below = RuleSlots.none();

    /** Any one component that no literal child takes. */
    private PathNode anyChild;
    /** On {@code /proc} only: the process directory. */
    private PathNode processChild;
    /** True on the process directory, where {@code task/<tid>} leads back to the same node. */
    final boolean isProcess;

    /** Rules on children whose name starts with a prefix (e.g. {@code /dev/sd*}), for them and what is below. */
    private String[] namePrefixes = new String[0];
    private int[][] namePrefixSlots = new int[0][];

    PathNode(boolean isProcess) {
        this.isProcess = isProcess;
    }

    /** The node for component {@code p[from, to)}, or {@code null} when no rule lies that way. */
    PathNode next(String p, int from, int to) {
        if (processChild != null && ProcNames.isProcessName(p, from, to)) {
            return processChild;
        }
        PathNode child = children.get(p, from, to);
        return child != null ? child : anyChild;
    }

    boolean hasNamePrefixes() {
        return namePrefixes.length > 0;
    }

    /** The first rule for {@code access} whose name prefix starts component {@code p[from, to)}. */
    int firstByNamePrefix(String p, int from, int to, int access) {
        int first = RuleSlots.NONE;
        for (int i = 0; i < namePrefixes.length; i++) {
            String prefix = namePrefixes[i];
            if (to - from >= prefix.length() && p.startsWith(prefix, from)) {
                first = Math.min(first, namePrefixSlots[i][access]);
            }
        }
        return first;
    }

    // ---- building ----

    PathNode child(String name) {
        PathNode child = children.get(name);
        if (child == null) {
            child = new PathNode(false);
            children.put(name, child);
        }
        return child;
    }

    PathNode anyChild() {
        if (anyChild == null) {
            anyChild = new PathNode(false);
        }
        return anyChild;
    }

    PathNode processChild() {
        if (processChild == null) {
            processChild = new PathNode(true);
        }
        return processChild;
    }

    boolean hasProcessChild() {
        return processChild != null;
    }

    void addNamePrefix(String prefix, int[] slots) {
        int at = Arrays.asList(namePrefixes).indexOf(prefix);
        if (at < 0) {
            namePrefixes = Arrays.copyOf(namePrefixes, namePrefixes.length + 1);
            namePrefixSlots = Arrays.copyOf(namePrefixSlots, namePrefixSlots.length + 1);
            at = namePrefixes.length - 1;
            namePrefixes[at] = prefix;
            namePrefixSlots[at] = RuleSlots.none();
        }
        RuleSlots.addAll(namePrefixSlots[at], slots);
    }

    /** Copies {@code any}'s rules into every sibling a literal name leads to, at every level, so the walk needs no backtracking. */
    void determinise() {
        if (anyChild != null) {
            for (int i = 0; i < children.capacity(); i++) {
                if (children.keyAt(i) != null) {
                    children.valueAt(i).mergeFrom(anyChild);
                }
            }
            if (processChild != null) {
                processChild.mergeFrom(anyChild);
            }
        }
        for (int i = 0; i < children.capacity(); i++) {
            if (children.keyAt(i) != null) {
                children.valueAt(i).determinise();
            }
        }
        if (processChild != null) {
            processChild.determinise();
        }
        if (anyChild != null) {
            anyChild.determinise();
        }
    }

    /** Adds everything {@code source} matches to this node (source is left unchanged). */
    private void mergeFrom(PathNode source) {
        RuleSlots.addAll(here, source.here);
        RuleSlots.addAll(below, source.below);
        for (int i = 0; i < source.namePrefixes.length; i++) {
            addNamePrefix(source.namePrefixes[i], source.namePrefixSlots[i]);
        }
        for (int i = 0; i < source.children.capacity(); i++) {
            String name = source.children.keyAt(i);
            if (name != null) {
                child(name).mergeFrom(source.children.valueAt(i));
            }
        }
        if (source.processChild != null) {
            processChild().mergeFrom(source.processChild);
        }
        if (source.anyChild != null) {
            anyChild().mergeFrom(source.anyChild);
        }
    }
}
