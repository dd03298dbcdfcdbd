package dev.hostguard.agent.policy;

import dev.hostguard.agent.path.ProcNames;
import dev.hostguard.agent.path.ResolvedPath;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Precompiled matching of paths against rules. {@link #match} runs on every file open inside a guarded request,
 * so everything is decided when the rules are built: a component trie for exact paths, subtrees, {@code *}
 * components and name prefixes ({@link PathNode}), a table of file names, and a few name fragments. A match
 * walks the path once, looking components up where they stand in the string; it uses no regular expression,
 * no stream and allocates nothing.
 *
 * <p>Both forms of a path are matched, the absolute (as spelled, so {@code /proc/self/root/...} and other
 * magic links are seen) and the canonical (so links are seen through). Within a form, {@code /var/run} is
 * {@code /run}, and {@code /proc/<pid>}, {@code /proc/self}, {@code /proc/thread-self} and
 * {@code /proc/<pid>/task/<tid>} are one process directory. Immutable and thread-safe.
 */
public final class PathRules {
    private final Rule[] rules;
    private final List<Rule> ruleList;
    private final PathNode root;
    private final NameTable<int[]> names;
    /** Bit n set when some file-name rule has a name of n characters (bit 63: 63 or more). */
    private final long nameLengths;
    private final String[] nameFragments;
    /** Which ASCII characters start a fragment. */
    private final boolean[] fragmentStarts = new boolean[128];
    private final int[][] nameFragmentSlots;
    private final String[] tokenMarkers;
    private final int[][] tokenMarkerSlots;
    /** The path patterns in force (not switched off), for what is judged by identity ({@link #pathPatterns}). */
    private final List<PathPattern> pathPatterns;

    private PathRules(Builder builder) {
        this.rules = builder.rules.toArray(new Rule[0]);
        this.ruleList = List.of(rules);
        this.root = new PathNode(false);
        root.child("proc").processChild();
        this.names = new NameTable<>();
        List<String> fragments = new ArrayList<>();
        List<int[]> fragmentSlots = new ArrayList<>();
        List<String> markers = new ArrayList<>();
        List<int[]> markerSlots = new ArrayList<>();
        List<PathPattern> inForce = new ArrayList<>();
        for (Pattern pattern : builder.patterns) {
            if (builder.disabled.contains(rules[pattern.rule].id())) {
                continue; // switched off by a policy: the next rule that matches counts
            }
            if (pattern.kind == Kind.PATH || pattern.kind == Kind.PREFIX) {
                inForce.add(new PathPattern(rules[pattern.rule], pattern.accesses,
                        pattern.kind == Kind.PREFIX ? pattern.text + "/**" : pattern.text));
            }
            int[] slots = RuleSlots.of(pattern.rule, pattern.accesses);
            switch (pattern.kind) {
                case PATH -> addPath(pattern.text, slots);
                case PREFIX -> RuleSlots.addAll(descend(components(pattern.text), false).below, slots);
                case NAME -> {
                    int[] existing = names.get(pattern.text);
                    if (existing == null) {
                        names.put(pattern.text, slots);
                    } else {
                        RuleSlots.addAll(existing, slots);
                    }
                }
                case NAME_CONTAINING -> {
                    fragments.add(pattern.text);
                    fragmentSlots.add(slots);
                }
                case TOKEN_BELOW -> {
                    markers.add(pattern.text);
                    markerSlots.add(slots);
                }
            }
        }
        root.determinise();
        long lengths = 0;
        for (int i = 0; i < names.capacity(); i++) {
            String name = names.keyAt(i);
            lengths |= name == null ? 0 : 1L << Math.min(name.length(), 63);
        }
        this.nameLengths = lengths;
        this.nameFragments = fragments.toArray(new String[0]);
        for (String fragment : nameFragments) {
            if (fragment.isEmpty() || fragment.charAt(0) >= 128 || fragment.indexOf('/') >= 0) {
                throw new IllegalArgumentException("a name fragment must start with an ASCII character and hold no '/': " + fragment);
            }
            fragmentStarts[fragment.charAt(0)] = true;
        }
        this.nameFragmentSlots = fragmentSlots.toArray(new int[0][]);
        this.tokenMarkers = markers.toArray(new String[0]);
        this.tokenMarkerSlots = markerSlots.toArray(new int[0][]);
        this.pathPatterns = List.copyOf(inForce);
    }

    /** The default container-escape ruleset ({@code shared/design/container-escape-ruleset.md}). */
    public static PathRules defaults() {
        return Defaults.RULES;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The first rule this access to this path matches, or {@code null}. Checks the absolute and then the
     * canonical form; rules count in the order they were added. Expects the forms {@code PathResolver} makes
     * (absolute, normalised).
     */
    public Rule match(FileAccess access, ResolvedPath path) {
        int accessIndex = access.ordinal();
        String absolute = path.absolute();
        int first = absolute == null ? RuleSlots.NONE : first(absolute, accessIndex);
        if (first == RuleSlots.NONE) {
            String canonical = path.canonical();
            if (canonical != null && canonical != absolute && !canonical.equals(absolute)) {
                first = first(canonical, accessIndex);
            }
        }
        return first == RuleSlots.NONE ? null : rules[first];
    }

    /**
     * The first rule this access to one form of a path matches (absolute and normalised, as the kernel names an open
     * descriptor's file), or {@code null}: {@link #match(FileAccess, ResolvedPath)} for a path known in one form
     * only. Allocates nothing.
     */
    public Rule match(FileAccess access, String path) {
        int first = path == null ? RuleSlots.NONE : first(path, access.ordinal());
        return first == RuleSlots.NONE ? null : rules[first];
    }

    /**
     * A path pattern in force: {@code /etc/shadow}, {@code /root/**} (a prefix rule's directory is given so too),
     * {@code /home/*}{@code /.ssh/**}, {@code /dev/sd*}, {@code /proc/<pid>/environ}.
     */
    public record PathPattern(Rule rule, Set<FileAccess> accesses, String pattern) {
    }

    /** The path patterns in force, in rule order (file-name rules and fragments are not paths, so not here). */
    public List<PathPattern> pathPatterns() {
        return pathPatterns;
    }

    /** Every rule, in order, for docs and tests. */
    public List<Rule> rules() {
        return ruleList;
    }

    // ---- matching: one walk down the trie, then the file name; allocates nothing ----

    private int first(String p, int access) {
        int n = p.length();
        int i = p.startsWith("/var/run") && (n == 8 || p.charAt(8) == '/') ? 4 : 0; // /var/run is /run
        PathNode node = root;
        int first = node.below[access];
        boolean walkedAll = true;
        while (true) {
            while (i < n && p.charAt(i) == '/') {
                i++;
            }
            if (i >= n) {
                break;
            }
            int end = componentEnd(p, i);
            if (node.isProcess && end - i == 4 && p.startsWith("task", i)) {
                int tid = end + 1;
                int tidEnd = tid < n ? componentEnd(p, tid) : tid;
                if (ProcNames.isDigits(p, tid, tidEnd)) {
                    i = tidEnd; // a thread's directory is its process's
                    continue;
                }
            }
            if (node.hasNamePrefixes()) {
                first = Math.min(first, node.firstByNamePrefix(p, i, end, access));
            }
            PathNode next = node.next(p, i, end);
            if (next == null) {
                walkedAll = false;
                break;
            }
            node = next;
            first = Math.min(first, node.below[access]);
            i = end;
        }
        if (walkedAll) {
            first = Math.min(first, node.here[access]);
        }
        return Math.min(first, firstByName(p, access));
    }

    /** Rules on the file name (the last component) and on the token shape, wherever the file lives. */
    private int firstByName(String p, int access) {
        int end = p.length();
        while (end > 0 && p.charAt(end - 1) == '/') {
            end--;
        }
        if (end == 0) {
            return RuleSlots.NONE;
        }
        int start = p.lastIndexOf('/', end - 1) + 1;
        int first = RuleSlots.NONE;
        int length = end - start;
        if ((nameLengths & (1L << Math.min(length, 63))) != 0) { // most names are no rule's length
            int[] slots = names.get(p, start, end);
            if (slots != null) {
                first = slots[access];
            }
        }
        if (nameFragments.length > 0) {
            for (int at = start; at < end; at++) { // one pass: fragments are tried only where one could start
                char c = p.charAt(at);
                if (c < 128 && fragmentStarts[c]) {
                    for (int i = 0; i < nameFragments.length; i++) {
                        if (nameFragmentSlots[i][access] < first && p.startsWith(nameFragments[i], at)
                                && at + nameFragments[i].length() <= end) {
                            first = nameFragmentSlots[i][access];
                        }
                    }
                }
            }
        }
        if (tokenMarkers.length > 0 && p.startsWith("token", end - 5)) {
            for (int i = 0; i < tokenMarkers.length; i++) {
                // Tracee's secrets/kubernetes.io/serviceaccount.+token$: the marker, at least one character, "token" at the end
                if (tokenMarkerSlots[i][access] < first) {
                    int at = p.indexOf(tokenMarkers[i]);
                    if (at >= 0 && at + tokenMarkers[i].length() + 1 <= end - 5) {
                        first = tokenMarkerSlots[i][access];
                    }
                }
            }
        }
        return first;
    }

    private static int componentEnd(String p, int from) {
        int slash = p.indexOf('/', from);
        return slash < 0 ? p.length() : slash;
    }

    // ---- building ----

    /** {@code /a/b} exactly; {@code /a/**} {@code /a} and everything below; {@code *} any one component;
     *  {@code /dev/sd*} every child of {@code /dev} whose name starts with {@code sd}; {@code <pid>} a process directory. */
    private void addPath(String pattern, int[] slots) {
        List<String> components = components(pattern);
        String last = components.isEmpty() ? "" : components.get(components.size() - 1);
        if (last.equals("**")) {
            RuleSlots.addAll(descend(components.subList(0, components.size() - 1), true).below, slots);
        } else if (last.length() > 1 && last.endsWith("*")) {
            descend(components.subList(0, components.size() - 1), true)
                    .addNamePrefix(last.substring(0, last.length() - 1), slots);
        } else {
            RuleSlots.addAll(descend(components, true).here, slots);
        }
    }

    private PathNode descend(List<String> components, boolean glob) {
        PathNode node = root;
        for (int i = 0; i < components.size(); i++) {
            String name = components.get(i);
            if (node.hasProcessChild() && (name.equals("<pid>") || ProcNames.isProcessName(name, 0, name.length()))) {
                node = node.processChild();
            } else if (node.isProcess && name.equals("task") && i + 1 < components.size()
                    && ProcNames.isDigits(components.get(i + 1), 0, components.get(i + 1).length())) {
                i++; // task/<tid> is the process directory again
            } else if (glob && name.equals("*")) {
                node = node.anyChild();
            } else {
                node = node.child(name);
            }
        }
        return node;
    }

    /** The components of a normalised absolute path, with {@code /var/run} spelled {@code /run}. */
    private static List<String> components(String path) {
        List<String> components = new ArrayList<>();
        for (String component : path.substring(1).split("/")) {
            if (!component.isEmpty()) {
                components.add(component);
            }
        }
        if (components.size() >= 2 && components.get(0).equals("var") && components.get(1).equals("run")) {
            components.remove(0);
        }
        return components;
    }

    private enum Kind { PATH, PREFIX, NAME, NAME_CONTAINING, TOKEN_BELOW }

    private record Pattern(Kind kind, int rule, Set<FileAccess> accesses, String text) {
    }

    /** Collects rules and their patterns; {@link #build} compiles them. Reusable: each build starts afresh. */
    public static final class Builder {
        private final List<Rule> rules = new ArrayList<>();
        private final List<Pattern> patterns = new ArrayList<>();
        private final Set<String> disabled = new java.util.HashSet<>();

        private Builder() {
        }

        /** Switches rules off: their patterns match nothing, so a path falls to the next rule that matches. */
        public Builder disable(java.util.Collection<String> ruleIds) {
            disabled.addAll(ruleIds);
            return this;
        }

        /**
         * Why {@code pattern} cannot be a rule path, or {@code null} when it can: an absolute path whose components
         * are literal or {@code *}, the last one may also be {@code **} (everything below) or {@code name*} (names
         * starting with {@code name}). Other shapes ({@code ?}, {@code **} inside, {@code *.pem}) would need a
         * scan per open, which the trie exists to avoid.
         */
        public static String unsupportedPath(String pattern) {
            if (pattern == null || !pattern.startsWith("/")) {
                return "a rule path must be absolute (start with '/')";
            }
            if (pattern.indexOf('?') >= 0) {
                return "'?' is not supported in rule paths (only in allow entries); use '*' for a whole component";
            }
            List<String> components = components(pattern);
            for (int i = 0; i < components.size(); i++) {
                String c = components.get(i);
                boolean last = i == components.size() - 1;
                if (c.equals("*") || c.indexOf('*') < 0 || last && c.equals("**")
                        || last && c.indexOf('*') == c.length() - 1) {
                    continue;
                }
                return "'" + c + "': in rule paths a '*' stands for a whole component, or ends the last one"
                        + " (name*), and '**' ends the path";
            }
            return null;
        }

        /** A path pattern (see {@link #unsupportedPath}) for some of the rule's accesses. */
        public Builder path(Rule rule, Set<FileAccess> accesses, String pattern) {
            String unsupported = unsupportedPath(pattern);
            if (unsupported != null) {
                throw new IllegalArgumentException(unsupported + ": " + pattern);
            }
            return add(Kind.PATH, rule, accesses, pattern);
        }

        /** A file name, wherever it lives (a policy's sockets). */
        public Builder fileName(Rule rule, Set<FileAccess> accesses, String name) {
            return add(Kind.NAME, rule, accesses, name);
        }

        /** Adds the default ruleset ({@link PathRules#defaults()}). */
        public Builder addDefaults() {
            DefaultRules.addTo(this);
            return this;
        }

        /**
         * Adds a rule on a directory and everything below it: {@code prefix(rule, "/data")} matches {@code /data}
         * and {@code /data/x}, never {@code /database}. The prefix is taken literally ({@code *} is a name like
         * any other) and normalised ({@code /var/run/x} is {@code /run/x}).
         */
        public Builder prefix(Rule rule, String prefix) {
            return add(Kind.PREFIX, rule, rule.accesses(), normalised(prefix));
        }

        public PathRules build() {
            return new PathRules(this);
        }

        // ---- the shapes the default rules need (package-private until a policy file needs them) ----

        /** A path pattern: {@code /a/b}, {@code /a/**}, {@code /home/*}{@code /.ssh/**}, {@code /dev/sd*}, {@code /proc/<pid>/environ}. */
        Builder path(Rule rule, String pattern) {
            return add(Kind.PATH, rule, rule.accesses(), pattern);
        }

        /** A file name, wherever it lives. */
        Builder name(Rule rule, Set<FileAccess> accesses, String name) {
            return add(Kind.NAME, rule, accesses, name);
        }

        /** File names that contain {@code fragment}. */
        Builder nameContaining(Rule rule, String fragment) {
            return add(Kind.NAME_CONTAINING, rule, rule.accesses(), fragment);
        }

        /** Paths that contain {@code marker}, then at least one character, then end with {@code token}. */
        Builder tokenBelow(Rule rule, String marker) {
            return add(Kind.TOKEN_BELOW, rule, rule.accesses(), marker);
        }

        private Builder add(Kind kind, Rule rule, Set<FileAccess> accesses, String text) {
            Objects.requireNonNull(rule, "rule");
            if (!rule.accesses().containsAll(accesses)) {
                throw new IllegalArgumentException("rule " + rule.id() + " does not apply to " + accesses);
            }
            int index = indexOf(rule);
            if (index < 0) {
                rules.add(rule);
                index = rules.size() - 1;
            }
            patterns.add(new Pattern(kind, index, EnumSet.copyOf(accesses), text));
            return this;
        }

        /**
         * By identity: each host mount has a rule of its own under the one id {@code host-mount}, and a record's
         * {@code equals} would bootstrap {@code java.lang.invoke} on the start-up path.
         */
        private int indexOf(Rule rule) {
            for (int i = 0; i < rules.size(); i++) {
                if (rules.get(i) == rule) {
                    return i;
                }
            }
            return -1;
        }

        private static String normalised(String prefix) {
            if (prefix == null || !prefix.startsWith("/")) {
                throw new IllegalArgumentException("a prefix rule needs an absolute path, not " + prefix);
            }
            return Path.of(prefix).normalize().toString(); // build time: no file-system access either
        }
    }

    /** Built on first use, so a ruleset built from a builder does not pay for the defaults. */
    private static final class Defaults {
        static final PathRules RULES = builder().addDefaults().build();
    }
}
