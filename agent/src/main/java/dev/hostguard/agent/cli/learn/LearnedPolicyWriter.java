package dev.hostguard.agent.cli.learn;

import dev.hostguard.agent.cli.events.TerminalText;
import dev.hostguard.agent.cli.events.UnattributedPrincipals;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Writes a learned policy in the format of {@code examples/policy.yaml}: version 1, mode block, and the allow
 * entries in a fixed order (by route, operation, target), each after a comment with how often and when it was
 * seen. The same events always give the same bytes.
 */
public final class LearnedPolicyWriter {
    /** What a policy reads as a wildcard in a path, route or argument glob. */
    private static final Pattern GLOB = Pattern.compile("[*?]");

    private LearnedPolicyWriter() {
    }

    /**
     * Writes the policy to {@code out}; a value the policy would read as a wildcard (it holds {@code *} or
     * {@code ?}) is marked in the policy and reported on {@code warnings}.
     */
    public static void write(PolicyLearner learned, PrintWriter out, PrintWriter warnings) {
        header(learned, out);
        principals(learned.principals(), out, warnings);
        out.println("version: 1");
        out.println("mode: block");
        Map<String, String> keyNames = learned.keyNames();
        keys(learned, keyNames, out);
        List<AllowEntry> entries = learned.entries();
        if (entries.isEmpty()) {
            out.println("allow: []");
        } else {
            out.println("allow:");
        }
        String route = "";
        for (AllowEntry entry : entries) {
            if (!Objects.equals(route, entry.key.route())) {
                route = entry.key.route();
                out.println();
                out.println("  # " + (route == null ? "outside any request" : YamlText.comment(route)));
            }
            entry(entry, keyNames, out, warnings);
        }
        out.flush();
        warnings.flush();
    }

    private static void header(PolicyLearner learned, PrintWriter out) {
        out.println("# HostGuard policy, learned by `java -jar hostguard-agent.jar learn` from " + learned.events()
                + " events" + (learned.ignored() == 0 ? "" : " (" + learned.ignored() + " other events ignored)"));
        if (learned.first() != null) {
            out.println("# seen from " + learned.first() + " to " + learned.last() + ".");
        }
        out.println("#");
        out.println("# It allows exactly what was seen: each entry is one operation on one target (an executable with");
        out.println("# exactly these arguments, or one path) on one route, for the authentication classes seen"
                + (learned.perKey() ? "" : ". Before you"));
        if (learned.perKey()) {
            out.println("# and, learned per key, for one API key (named in credentials.keys). Before you");
        }
        out.println("# deploy it:");
        out.println("#   1. Read every entry and delete those that are attacks or mistakes rather than what the service");
        out.println("#      must do: in audit mode every finding ran, including the ones an attacker caused.");
        out.println("#   2. Replace each reason with why the service does it (events carry it when the entry allows).");
        out.println("#   3. Widen only what really varies, with globs (an argument \"/backups/*.tgz\", a route");
        out.println("#      \"GET /media/*\"). Entries marked REVIEW need a second look (wildcard characters, process ids).");
        out.println("#   4. java -jar hostguard-agent.jar check policy.yaml; then run with policy=<this file>.");
        out.println("# Everything not allowed here is a finding, and mode: block refuses it.");
    }

    /** Principals that made requests api-key without the policy saying whose they are: the policy should. */
    private static void principals(UnattributedPrincipals principals, PrintWriter out, PrintWriter warnings) {
        if (principals.counts().isEmpty()) {
            return;
        }
        out.println("#");
        UnattributedPrincipals.ADVICE.forEach(line -> out.println("# " + line));
        principals.counts().forEach((type, n) -> {
            out.println("#   " + YamlText.comment(type) + " (" + n + (n == 1 ? " event)" : " events)"));
            warnings.println("hostguard learn: " + n + (n == 1 ? " event" : " events") + " classed api-key by principal "
                    + TerminalText.safe(type) + ", which HostGuard cannot attribute to a person's login; if it is one,"
                    + " name it in credentials.person-principals");
        });
    }

    /**
     * {@code credentials.keys}, when learning per key: a name for each key entries were learned for, which the
     * entries' {@code key} refer to.
     */
    private static void keys(PolicyLearner learned, Map<String, String> keyNames, PrintWriter out) {
        if (keyNames.isEmpty()) {
            return;
        }
        out.println("credentials:");
        out.println("  # The API keys seen, by fingerprint (api_key.fingerprint in their events). Name each after");
        out.println("  # its client (ci-bot, nightly-backup); an entry with 'key' allows that key's requests only.");
        out.println("  keys:");
        keyNames.forEach((fingerprint, name) -> out.println("    " + name + ": " + YamlText.quote(fingerprint)
                + "  # " + learned.keyEvents(fingerprint) + (learned.keyEvents(fingerprint) == 1 ? " event" : " events")));
    }

    private static void entry(AllowEntry e, Map<String, String> keyNames, PrintWriter out, PrintWriter warnings) {
        List<String> wildcards = new ArrayList<>();
        out.println("  # seen " + e.count + (e.count == 1 ? " time" : " times") + " (" + decisions(e.decisions) + ")"
                + (e.first == null ? "" : e.first.equals(e.last) ? ", at " + e.first : ", first " + e.first + ", last " + e.last)
                + (e.rules.isEmpty() ? "" : ", rule " + YamlText.comment(String.join(" ", e.rules))));
        out.println("  - operation: " + e.key.operation());
        if (e.key.operation().equals("process-start")) {
            out.println("    executable: " + YamlText.quote(e.key.target()));
            out.println("    args: " + YamlText.list(e.key.args()));
            check(wildcards, "executable", e.key.target());
            e.key.args().forEach(arg -> check(wildcards, "args", arg));
        } else if (e.key.operation().equals("jvm-diagnostic")) {
            out.println("    command: " + YamlText.quote(e.key.target()));
            check(wildcards, "command", e.key.target());
            if (!e.key.args().isEmpty()) {
                out.println("    diagnostic: " + YamlText.quote(e.key.args().get(0)));
            }
        } else if (e.key.operation().equals("process-signal")) {
            out.println("    signal: " + YamlText.list(List.of(e.key.target())));
        } else if (e.key.operation().equals("network-connect")) {
            out.println("    endpoint: " + YamlText.quote(e.key.target()));
        } else {
            out.println("    path: " + YamlText.quote(e.key.target()));
            check(wildcards, "path", e.key.target());
            if (e.key.operation().startsWith("file-") && !e.access.isEmpty()) { // file-open and the file changes
                out.println("    access: " + YamlText.list(new ArrayList<>(e.access)));
            }
        }
        if (e.key.route() != null) {
            out.println("    route: " + YamlText.quote(e.key.route()));
            check(wildcards, "route", e.key.route());
        }
        if (!e.auth.isEmpty()) {
            out.println("    auth: " + YamlText.list(new ArrayList<>(e.auth)));
        }
        if (e.key.key() != null) {
            out.println("    key: " + YamlText.quote(keyNames.get(e.key.key())));
        }
        out.println("    reason: " + YamlText.quote("learned from events (seen " + e.count + "x); say why the service does this"));
        List<String> review = new ArrayList<>();
        if (!wildcards.isEmpty()) {
            review.add(String.join(", ", wildcards) + " hold(s) * or ?, which the policy reads as wildcards");
        }
        if (!e.key.operation().equals("process-start") && AllowEntry.PROC_PID.matcher(e.key.target()).matches()) {
            review.add("the path names a process id, another process after a restart");
        }
        if (!review.isEmpty()) {
            out.println("    # REVIEW: " + String.join("; ", review));
            warnings.println("hostguard learn: review " + e.key.operation() + " " + TerminalText.safe(e.key.target())
                    + " on " + (e.key.route() == null ? "no route" : TerminalText.safe(e.key.route())) + ": "
                    + String.join("; ", review));
        }
    }

    private static void check(List<String> wildcards, String field, String value) {
        if (GLOB.matcher(value).find() && !wildcards.contains(field)) {
            wildcards.add(field);
        }
    }

    private static String decisions(Map<String, Integer> decisions) {
        StringBuilder s = new StringBuilder();
        decisions.forEach((decision, n) -> s.append(s.length() == 0 ? "" : ", ")
                .append(YamlText.comment(decision)).append(' ').append(n));
        return s.toString();
    }
}
