package dev.hostguard.agent.cli.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One event the agent wrote, as the command-line tools read it back: every scalar field under its dotted ECS
 * name ({@code event.action}, {@code hostguard.rule}, {@code url.path}...), every array of scalars as a list.
 * Everything in it came from the events file, and much of it (paths, arguments, routes) from an attacker:
 * whoever prints it escapes it for where it goes.
 *
 * @param fields dotted name to {@code String} or {@code List<String>}
 * @param source where it was read, {@code file:line}, for messages
 */
public record HostEvent(Map<String, Object> fields, String source) {
    /** The host operations the agent judges: what {@code event.action} names for them. */
    public static final List<String> OPERATIONS = List.of("process-start", "file-open", "directory-list",
            "unix-connect", "native-load", "native-downcall",
            "network-connect",
            "file-rename", "file-link", "file-symlink", "file-delete", "file-create", "file-attributes",
            "jvm-diagnostic", "process-signal");

    public HostEvent {
        fields = Map.copyOf(fields);
    }

    /** A scalar field, or {@code null} when absent or not a scalar. */
    public String text(String name) {
        return fields.get(name) instanceof String s ? s : null;
    }

    /** An array field, or an empty list when absent or not an array. */
    @SuppressWarnings("unchecked")
    public List<String> list(String name) {
        return fields.get(name) instanceof List<?> l ? (List<String>) l : List.of();
    }

    public String action() {
        return text("event.action");
    }

    /** {@code blocked}, {@code logged} or {@code allowed}; {@code null} for events that decide nothing. */
    public String decision() {
        return text("hostguard.decision");
    }

    /** Whether this is a decision on a host operation (and not, say, a policy reload). */
    public boolean isOperation() {
        return OPERATIONS.contains(action()) && decision() != null;
    }

    /** {@code @timestamp}, or {@code null} when absent or unreadable. */
    public Instant timestamp() {
        String t = text("@timestamp");
        try {
            return t == null ? null : Instant.parse(t);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    /** {@code "METHOD /path"}, the path alone without a method, or {@code null} outside a request. */
    public String route() {
        String path = text("url.path");
        if (path == null) {
            return null;
        }
        String method = text("http.request.method");
        return method == null ? path : method + " " + path;
    }
}
