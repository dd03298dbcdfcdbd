package dev.hostguard.agent.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Events shaped as the agent writes them (see EventJson), for the command-line tools' tests. */
public final class TestEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestEvents() {
    }

    /** One event under construction. */
    public static final class Event {
        private final ObjectNode root = JSON.createObjectNode();

        private Event(String action, String decision, String rule, String timestamp) {
            root.put("@timestamp", timestamp);
            root.putObject("event").put("id", "00000000-0000-0000-0000-000000000000").put("kind", "alert")
                    .put("action", action).put("outcome", decision.equals("blocked") ? "failure" : "success");
            root.putObject("hostguard").put("decision", decision).put("mode", decision.equals("blocked") ? "block" : "audit")
                    .put("rule", rule).put("auth", "api-key").put("context", "request");
        }

        public Event route(String method, String path) {
            root.putObject("url").put("path", path);
            root.putObject("http").putObject("request").put("method", method);
            return this;
        }

        public Event auth(String auth) {
            ((ObjectNode) root.get("hostguard")).put("auth", auth);
            return this;
        }

        /** A principal the agent could not attribute to a person's login made the request api-key. */
        public Event principal(String type) {
            ((ObjectNode) root.get("hostguard")).put("principal_type", type);
            return this;
        }

        public Event key(String fingerprint) {
            root.putObject("api_key").put("fingerprint", fingerprint);
            return this;
        }

        /** A key the policy names in {@code credentials.keys} ({@code api_key.name}). */
        public Event key(String fingerprint, String name) {
            root.putObject("api_key").put("fingerprint", fingerprint).put("name", name);
            return this;
        }

        public Event file(String path, String originalPath, String access) {
            ObjectNode file = root.putObject("file").put("path", path);
            if (originalPath != null) {
                file.put("original_path", originalPath);
            }
            ((ObjectNode) root.get("hostguard")).put("access", access);
            return this;
        }

        /** A network connect's destination, as EventJson writes it ({@code domain} may be {@code null}). */
        public Event destination(String address, int port, String domain) {
            ObjectNode destination = root.putObject("destination").put("address", address).put("ip", address)
                    .put("port", port);
            if (domain != null) {
                destination.put("domain", domain);
            }
            ((ObjectNode) root.get("hostguard")).put("access", "connect");
            return this;
        }

        public String json() {
            return root.toString();
        }
    }

    /** A process start of {@code argv} (argv[0] is the executable as given). */
    public static Event process(String decision, String timestamp, String... argv) {
        Event e = new Event("process-start", decision, "process-start", timestamp);
        ObjectNode process = e.root.putObject("process").put("executable", argv[0]).put("working_directory", "/srv");
        process.putArray("args").addAll(List.of(argv).stream().map(JSON.getNodeFactory()::textNode).toList());
        return e;
    }

    public static Event fileOpen(String decision, String rule, String timestamp, String path) {
        return new Event("file-open", decision, rule, timestamp).file(path, null, "read");
    }

    public static Event of(String action, String decision, String rule, String timestamp) {
        return new Event(action, decision, rule, timestamp);
    }

    /** Writes the lines to a file, one per line. */
    public static Path write(Path file, String... lines) {
        try {
            Files.write(file, List.of(lines), StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What one command line printed and returned. */
    public record Run(int exit, String out, String err) {
    }

    /** Runs {@code java -jar hostguard-agent.jar <args>} in this JVM. */
    public static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = HostGuardCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }
}
