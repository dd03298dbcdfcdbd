package dev.hostguard.agent.cli.events;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.hostguard.agent.cli.CliFailure;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the agent's events files (JSON lines). A file may also hold the agent's own diagnostics (when events go
 * to stdout or stderr, next to {@code [hostguard] ...} lines and the service's own output): lines that do not
 * start with <code>{</code> are not events and are skipped silently. A line that starts like an object but is not
 * valid JSON is skipped with one warning naming {@code file:line}; a bad line never stops the tool, because the
 * file an operator has is usually the one a crashed or rotated service left behind.
 */
public final class EventReader {
    private static final JsonFactory JSON = JsonFactory.builder()
            // one event is a few KB; a hostile line must not make us build a huge string
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(1 << 20).maxNestingDepth(16).build())
            .build();

    private final PrintWriter warnings;
    private int skipped;

    /** @param warnings where a malformed line is reported (standard error for the tools) */
    public EventReader(PrintWriter warnings) {
        this.warnings = warnings;
    }

    /** Every event of every file, in order; a file that cannot be read fails the command with one line. */
    public static List<HostEvent> readAll(List<Path> files, PrintWriter warnings) {
        try {
            return new EventReader(warnings).read(files);
        } catch (NoSuchFileException e) {
            throw new CliFailure("no such file: " + e.getFile());
        } catch (IOException e) {
            throw new CliFailure("cannot read the events: " + e);
        }
    }

    /** Every event of every file, in order. */
    public List<HostEvent> read(List<Path> files) throws IOException {
        List<HostEvent> events = new ArrayList<>();
        for (Path file : files) {
            read(file, events);
        }
        warnings.flush();
        return events;
    }

    /** How many malformed lines were skipped so far. */
    public int skipped() {
        return skipped;
    }

    private void read(Path file, List<HostEvent> into) throws IOException {
        // an InputStreamReader replaces bytes that are not UTF-8 instead of failing the whole file
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(file),
                StandardCharsets.UTF_8))) {
            int lineNumber = 0;
            for (String line; (line = in.readLine()) != null; ) {
                lineNumber++;
                String trimmed = line.strip();
                if (!trimmed.startsWith("{")) {
                    continue;
                }
                String source = file + ":" + lineNumber;
                try {
                    into.add(new HostEvent(flatten(trimmed), source));
                } catch (IOException | IllegalArgumentException e) {
                    skipped++;
                    warnings.println("hostguard: skipped " + source + ": not a JSON event ("
                            + TerminalText.safe(firstLine(e.getMessage())) + ")");
                }
            }
        }
    }

    /** The object's scalars and scalar arrays by dotted name; nested objects are walked, other shapes dropped. */
    static Map<String, Object> flatten(String json) throws IOException {
        Map<String, Object> fields = new LinkedHashMap<>();
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not an object");
            }
            object(p, "", fields);
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("text after the object");
            }
        }
        return fields;
    }

    private static void object(JsonParser p, String prefix, Map<String, Object> fields) throws IOException {
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            if (t != JsonToken.FIELD_NAME) {
                throw new IllegalArgumentException("truncated object");
            }
            String name = prefix + p.currentName();
            JsonToken value = p.nextToken();
            if (value == JsonToken.START_OBJECT) {
                object(p, name + ".", fields);
            } else if (value == JsonToken.START_ARRAY) {
                array(p, name, fields);
            } else if (value != null && value.isScalarValue()) {
                if (value != JsonToken.VALUE_NULL) {
                    fields.put(name, p.getText());
                }
            } else {
                throw new IllegalArgumentException("truncated object");
            }
        }
    }

    private static void array(JsonParser p, String name, Map<String, Object> fields) throws IOException {
        List<String> values = new ArrayList<>();
        boolean scalars = true;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t == null) {
                throw new IllegalArgumentException("truncated array");
            }
            if (t.isStructStart()) {
                p.skipChildren();
                scalars = false;
            } else {
                values.add(p.getText());
            }
        }
        if (scalars) {
            fields.put(name, List.copyOf(values));
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
