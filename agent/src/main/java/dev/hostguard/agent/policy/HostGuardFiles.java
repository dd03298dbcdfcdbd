package dev.hostguard.agent.policy;

import dev.hostguard.agent.path.ResolvedPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * HostGuard's own files, protected paths of the {@code hostguard-files} rule: the policy file and everything it is
 * read through (each symbolic link on the way, its directory, and, for a Kubernetes ConfigMap volume, the
 * {@code ..data} link and the {@code ..<timestamp>} directories), the events file and the files an external rotation
 * makes of it ({@code events.jsonl.1}, {@code events.jsonl-20261207.gz}: every name starting with the events file's),
 * and the agent jar. Each in the forms the kernel sees: as the operator spelled it (made absolute against the
 * working directory), every spelling a symbolic link on the way gives it, and its canonical path; and through this
 * process's {@code /proc/<pid>/cwd} when it lives below the working directory (that magic link is not followed by
 * the resolver).
 *
 * <p>Known only once the agent's options are (so computed at start-up, and again at each policy reload: a ConfigMap
 * update brings a new {@code ..<timestamp>} directory). A write, a truncation or (with the file-mutation hooks) any
 * change of these paths inside a guarded request is a finding that is refused in audit mode too: the events file
 * must keep every event, so the audit trail cannot be erased by the requests it records, and the policy in force
 * cannot be rewritten by the requests it judges (see {@link PolicyEngine#decide}).
 *
 * <p>The agent's own writes are never judged: the events file is opened once, at start-up, before any request (and
 * never rotated by the agent), and every event is written under the hooks' reentrancy guard.
 */
public final class HostGuardFiles {
    /** The rule of HostGuard's own files: writes and changes (never reads: reading them reveals nothing secret). */
    public static final Rule RULE = new Rule("hostguard-files", "self-protection", protectedAccesses(),
            "HostGuard's own files: the policy file and what it is read through, the events file and its rotations,"
                    + " the agent jar; refused even in audit mode",
            "HostGuard issue 18 (the audit trail and the policy must survive the requests they judge)");

    /** No own files (tests, a policy engine made without options). */
    public static final HostGuardFiles NONE = new HostGuardFiles(List.of(), List.of(), List.of(), List.of());

    /** How many symbolic links a chain may hold before we stop following it (the kernel's limit is 40). */
    private static final int MAX_HOPS = 40;

    /** Exact paths, as matched by the rule ({@code *} and {@code ?} never appear: those are in {@link #prefixes}). */
    private final List<String> exact;
    /** Paths taken literally, with everything below (a name with a glob character, a ConfigMap's current directory). */
    private final List<String> prefixes;
    /** {@code <directory>/<name>*}: names starting with {@code name} in a directory (rotations, {@code ..} entries). */
    private final List<String> namePrefixes;
    /** The forms of the policy file's chain a tampering write would go through (a subset of the above, as strings). */
    private final List<String> policyPaths;

    private HostGuardFiles(List<String> exact, List<String> prefixes, List<String> namePrefixes,
                           List<String> policyPaths) {
        this.exact = List.copyOf(exact);
        this.prefixes = List.copyOf(prefixes);
        this.namePrefixes = List.copyOf(namePrefixes);
        this.policyPaths = List.copyOf(policyPaths);
    }

    /** Write, and change once the file-mutation hooks bring that access. */
    private static Set<FileAccess> protectedAccesses() {
        Set<FileAccess> accesses = EnumSet.of(FileAccess.WRITE);
        for (FileAccess access : FileAccess.values()) {
            if (access.name().equals("CHANGE")) {
                accesses.add(access);
            }
        }
        return accesses;
    }

    /**
     * Computes the protected paths from the agent's options, looking at the file system now (never throws: what
     * cannot be read is protected as spelled).
     *
     * @param policyFile the policy file as given; {@code null} for none
     * @param eventsFile the events file as given; {@code null} when events go to a standard stream
     * @param agentJar the agent jar; {@code null} when not known (a directory of classes is not protected)
     * @param workingDirectory the JVM's working directory, for relative paths
     */
    public static HostGuardFiles of(Path policyFile, Path eventsFile, Path agentJar, String workingDirectory) {
        String cwd = normalise("/", workingDirectory == null ? "/" : workingDirectory);
        Set<String> exact = new LinkedHashSet<>();
        Set<String> prefixes = new LinkedHashSet<>();
        Set<String> namePrefixes = new LinkedHashSet<>();
        Set<String> policy = new LinkedHashSet<>();
        if (policyFile != null) {
            for (String form : chain(cwd, policyFile.toString())) {
                exact.add(form);
                policy.add(form);
                String directory = parent(form);
                exact.add(directory); // the directory itself: renaming it away swaps the policy too
                policy.add(directory);
                if (Files.isSymbolicLink(Path.of(directory, "..data"))) {
                    // a ConfigMap volume: ..data -> ..<timestamp>; a new ..<timestamp> or a swapped ..data is a new policy
                    namePrefixes.add(join(directory, ".."));
                }
                if (parent(directory) != null && name(directory).startsWith("..")) {
                    prefixes.add(directory); // the current ..<timestamp> directory, with everything in it
                }
            }
        }
        if (eventsFile != null) {
            for (String form : chain(cwd, eventsFile.toString())) {
                if (form.startsWith("/proc/") && !form.equals(normalise(cwd, eventsFile.toString()))) {
                    continue; // a descriptor's alias (/dev/stdout -> /proc/self/fd/1): no name prefix of fd numbers
                }
                namePrefixes.add(form); // the file and its rotations: events.jsonl, events.jsonl.1, ...-20261207.gz
                exact.add(parent(form));
            }
        }
        if (agentJar != null && agentJar.toString().endsWith(".jar")) {
            exact.addAll(chain(cwd, agentJar.toString()));
        }
        // through this process's working directory, which the resolver keeps as /proc/<pid>/cwd, never follows
        String cwdPrefix = cwd.equals("/") ? "/" : cwd + "/";
        for (Set<String> forms : List.of(exact, prefixes, namePrefixes)) {
            for (String form : List.copyOf(forms)) {
                if (form.startsWith(cwdPrefix) && form.length() > cwdPrefix.length()) {
                    forms.add("/proc/self/cwd/" + form.substring(cwdPrefix.length()));
                    if (forms == exact && policy.contains(form)) {
                        policy.add("/proc/self/cwd/" + form.substring(cwdPrefix.length()));
                    }
                }
            }
        }
        // a policy's ..-prefixed entries are policy paths too
        for (String namePrefix : namePrefixes) {
            if (name(namePrefix).equals("..")) {
                policy.add(namePrefix);
            }
        }
        for (String prefix : prefixes) {
            policy.add(prefix + "/");
        }
        // names with a glob character cannot be rule paths: taken literally (a file has nothing below it)
        for (String form : List.copyOf(exact)) {
            if (PathRules.Builder.unsupportedPath(form) != null) {
                exact.remove(form);
                prefixes.add(form);
            }
        }
        for (String form : List.copyOf(namePrefixes)) {
            if (PathRules.Builder.unsupportedPath(form + "*") != null) {
                namePrefixes.remove(form);
                prefixes.add(form);
            }
        }
        return new HostGuardFiles(new ArrayList<>(exact), new ArrayList<>(prefixes), new ArrayList<>(namePrefixes),
                new ArrayList<>(policy));
    }

    /**
     * Every absolute spelling of {@code given} on its way to the file: as given (made absolute), each path a symbolic
     * link on the way turns it into (the links themselves are in it: replacing one replaces the file), and the
     * canonical path.
     */
    static List<String> chain(String cwd, String given) {
        Set<String> forms = new LinkedHashSet<>();
        String current = normalise(cwd, given);
        for (int hop = 0; current != null && hop < MAX_HOPS && forms.add(current); hop++) {
            current = throughFirstLink(current, forms);
        }
        try {
            Path real = Path.of(normalise(cwd, given)).toRealPath();
            forms.add(real.toString());
        } catch (IOException | RuntimeException missing) {
            // not there (yet): its spellings above are what can be protected
        }
        return new ArrayList<>(forms);
    }

    /** {@code path} with its first symbolic-link component replaced by the link's target; {@code null} if none. */
    private static String throughFirstLink(String path, Set<String> links) {
        int at = 0;
        while (at < path.length()) {
            int next = path.indexOf('/', at + 1);
            String prefix = next < 0 ? path : path.substring(0, next);
            try {
                Path candidate = Path.of(prefix);
                if (Files.isSymbolicLink(candidate)) {
                    links.add(prefix);
                    String target = Files.readSymbolicLink(candidate).toString();
                    String rest = next < 0 ? "" : path.substring(next);
                    String base = parent(prefix);
                    return normalise(base == null ? "/" : base, target + rest);
                }
            } catch (IOException | RuntimeException unreadable) {
                return null;
            }
            if (next < 0) {
                return null;
            }
            at = next;
        }
        return null;
    }

    /** Adds the rule's patterns: first, so a path another rule also names reports this one (refused in audit too). */
    public void addTo(PathRules.Builder rules) {
        Set<FileAccess> accesses = RULE.accesses();
        for (String path : exact) {
            rules.path(RULE, accesses, path);
        }
        for (String prefix : prefixes) {
            rules.prefix(RULE, prefix);
        }
        for (String namePrefix : namePrefixes) {
            rules.path(RULE, accesses, namePrefix + "*");
        }
    }

    /** Whether there is anything to protect. */
    public boolean isEmpty() {
        return exact.isEmpty() && prefixes.isEmpty() && namePrefixes.isEmpty();
    }

    /**
     * Whether a write or change of {@code path} could change the policy file's content or what it is read through:
     * the paths a tampering write goes through. A few string compares; called only for writes and changes a guarded
     * request was let do.
     */
    public boolean touchesPolicy(ResolvedPath path) {
        return !policyPaths.isEmpty() && (touchesPolicy(path.absolute()) || touchesPolicy(path.canonical()));
    }

    private boolean touchesPolicy(String path) {
        if (path == null) {
            return false;
        }
        // /var/run is /run, as for the rules; compared in place: nothing allocated
        int from = path.startsWith("/var/run/") ? 4 : 0;
        int length = path.length() - from;
        for (String form : policyPaths) {
            if (form.endsWith("/")) { // a directory and everything below it
                if (path.startsWith(form, from) || length == form.length() - 1
                        && path.regionMatches(from, form, 0, length)) {
                    return true;
                }
            } else if (form.endsWith("/..")) { // a ConfigMap's ..data and ..<timestamp> entries
                if (path.startsWith(form, from) && path.indexOf('/', from + form.length()) < 0) {
                    return true;
                }
            } else if (length == form.length() && path.startsWith(form, from)) {
                return true;
            } else if (form.startsWith("/proc/self/") && path.startsWith("/proc/")) {
                // /proc/<pid>/cwd/...: any process directory's spelling of our own working directory
                int slash = path.indexOf('/', 6);
                int tail = form.length() - 10; // what follows /proc/self
                if (slash > 0 && path.length() - slash == tail && path.regionMatches(slash, form, 10, tail)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The exact paths, prefixes and name prefixes, for the start-up line and tests. */
    public List<String> describe() {
        List<String> all = new ArrayList<>(exact);
        for (String prefix : prefixes) {
            all.add(prefix + "/**");
        }
        for (String namePrefix : namePrefixes) {
            all.add(namePrefix + "*");
        }
        return all;
    }

    /** {@code path} made absolute against {@code base} and lexically normalised. */
    private static String normalise(String base, String path) {
        return Path.of(base).resolve(path).normalize().toString();
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? (path.length() > 1 ? "/" : null) : path.substring(0, slash);
    }

    private static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static String join(String directory, String name) {
        return directory.endsWith("/") ? directory + name : directory + "/" + name;
    }

    @Override
    public String toString() {
        return "HostGuardFiles" + describe();
    }
}
