package dev.hostguard.agent.cli.learn;

import dev.hostguard.agent.cli.events.HostEvent;
import dev.hostguard.agent.policy.CredentialSettings;
import dev.hostguard.agent.policy.Executables;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One allow entry being learned: an operation on one target (an executable with its exact arguments, or a path),
 * on one route, and what was seen of it: authentication classes, accesses, rules, counts, first and last time.
 */
final class AllowEntry {
    /**
     * What makes two events the same entry. {@code route} is null outside a request, {@code args} for files;
     * {@code key} is the API key's fingerprint when learning per key (an api-key request's), else null.
     */
    record Key(String route, String operation, String target, List<String> args, String key) {
        static final Comparator<Key> ORDER = Comparator
                .comparing(Key::route, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(k -> HostEvent.OPERATIONS.indexOf(k.operation()))
                .thenComparing(Key::target)
                .thenComparing(k -> String.join("\u0000", k.args()))
                .thenComparing(Key::key, Comparator.nullsFirst(Comparator.naturalOrder()));

        Key(String route, String operation, String target, List<String> args) {
            this(route, operation, target, args, null);
        }

        /**
         * The entry an event belongs to, or {@code null} if the event lacks its target.
         *
         * @param perKey whether an api-key request's operation is learned for its key alone
         */
        static Key of(HostEvent event, boolean perKey) {
            Key key = of(event);
            String fingerprint = perKey ? keyOf(event) : null;
            return key == null || fingerprint == null ? key
                    : new Key(key.route(), key.operation(), key.target(), key.args(), fingerprint);
        }

        /** The fingerprint of an api-key request's key, as a policy names it; {@code null} for any other event. */
        static String keyOf(HostEvent event) {
            String fingerprint = event.text("api_key.fingerprint");
            return "api-key".equals(event.text("hostguard.auth")) && fingerprint != null
                    && CredentialSettings.isFingerprint(fingerprint) ? fingerprint : null;
        }

        /** The entry an event belongs to, or {@code null} if the event lacks its target. */
        static Key of(HostEvent event) {
            String operation = event.action();
            if (operation.equals("process-start")) {
                String executable = event.text("process.executable");
                List<String> argv = event.list("process.args");
                if (executable == null) {
                    return null;
                }
                // process.args is the whole argv; a policy's args are those after the executable
                return new Key(event.route(), operation, executable(executable, event.text("process.working_directory")),
                        argv.isEmpty() ? List.of() : argv.subList(1, argv.size()));
            }
            if (operation.equals("native-load") || operation.equals("native-downcall")) {
                String target = event.text(operation.equals("native-load") ? "dll.path" : "hostguard.native_function");
                return target == null ? null : new Key(event.route(), operation, target, List.of());
            }
            if (operation.equals("jvm-diagnostic")) { // the command line, exactly; its kind
                String command = event.text("hostguard.jvm_command");
                String kind = event.text("hostguard.jvm_diagnostic");
                return command == null ? null
                        : new Key(event.route(), operation, command, kind == null ? List.of() : List.of(kind));
            }
            if (operation.equals("process-signal")) { // the signal: the pid names another process after a restart
                String signal = event.text("hostguard.signal");
                return signal == null ? null : new Key(event.route(), operation, signal, List.of());
            }
            if (operation.equals("network-connect")) {
                String endpoint = endpoint(event);
                return endpoint == null ? null : new Key(event.route(), operation, endpoint, List.of());
            }
            String path = event.text("file.path");
            return path == null ? null
                    : new Key(event.route(), operation, stable(path, event.text("file.original_path")), List.of());
        }

        /**
         * The endpoint of a network connect as an allow entry writes it: {@code name:port} when the caller connected
         * to a name (stable across address changes), else {@code address:port} ({@code [v6]:port}).
         */
        static String endpoint(HostEvent event) {
            String port = event.text("destination.port");
            String domain = event.text("destination.domain");
            String address = event.text("destination.address");
            if (port == null || domain == null && address == null) {
                return null;
            }
            String host = domain != null ? domain : address;
            int scope = host.indexOf('%');
            host = scope >= 0 ? host.substring(0, scope) : host;
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }

        /**
         * A bare name as given (the policy matches it in any directory); a path as the engine compares it: absolute
         * (against the working directory the event names) and normalised, so {@code ./bin/export} run in
         * {@code /srv} is {@code /srv/bin/export}, and never another directory's {@code bin/export}.
         */
        static String executable(String given, String workingDirectory) {
            return given.indexOf('/') < 0 ? given : Executables.resolve(given, workingDirectory);
        }

        /**
         * The JVM's own {@code /proc/self/...} as {@code /proc/self/...}, not as the canonical {@code /proc/<pid>}
         * the event carries, which names another process after a restart; {@code /proc/thread-self/...} (canonical
         * {@code /proc/<pid>/task/<tid>/...}) as {@code /proc/thread-self/...}, which the policy reads as any
         * thread of the JVM. Only when the caller's own path said so: another process's {@code /proc/<pid>} stays
         * as seen (and is marked for review).
         */
        static String stable(String path, String originalPath) {
            Matcher m = PROC_PID.matcher(path);
            if (!m.matches() || originalPath == null) {
                return path;
            }
            String rest = m.group(2) == null ? "" : m.group(2);
            if (m.group(1) != null && (originalPath.equals("/proc/thread-self")
                    || originalPath.startsWith("/proc/thread-self/"))) {
                return "/proc/thread-self" + rest;
            }
            if (originalPath.equals("/proc/self") || originalPath.startsWith("/proc/self/")) {
                return "/proc/self" + (m.group(1) == null ? "" : m.group(1)) + rest; // a task named so stays
            }
            return path;
        }
    }

    /** {@code /proc/<pid>[/task/<tid>][/rest]}; group 1 is {@code /task/<tid>}, group 2 the rest. */
    static final Pattern PROC_PID = Pattern.compile("/proc/[0-9]+(/task/[0-9]+)?(/.*)?");

    final Key key;
    final TreeSet<String> auth = new TreeSet<>();
    final TreeSet<String> access = new TreeSet<>();
    final TreeSet<String> rules = new TreeSet<>();
    final Map<String, Integer> decisions = new TreeMap<>();
    int count;
    Instant first;
    Instant last;

    AllowEntry(Key key) {
        this.key = key;
    }

    void add(HostEvent event) {
        count++;
        addIfPresent(auth, event.text("hostguard.auth"));
        addIfPresent(access, event.text("hostguard.access"));
        addIfPresent(rules, event.text("hostguard.rule"));
        decisions.merge(event.decision(), 1, Integer::sum);
        Instant at = event.timestamp();
        if (at != null) {
            first = first == null || at.isBefore(first) ? at : first;
            last = last == null || at.isAfter(last) ? at : last;
        }
    }

    private static void addIfPresent(TreeSet<String> set, String value) {
        if (value != null) {
            set.add(value);
        }
    }
}
