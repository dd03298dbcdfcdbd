package dev.hostguard.it;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The agent's events file: one JSON object per line, appended. Only complete (newline-terminated) lines count,
 * and each must be a JSON object. Waiting is a bounded poll of the file; nothing here sleeps a fixed time.
 */
public final class EventLog {
    public static final ObjectMapper JSON = new ObjectMapper();
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(15);
    private static final long POLL_MILLIS = 20;

    private final Path file;

    public EventLog(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** The file's text as written so far ("" if the agent has not created it). */
    public String rawText() {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every complete event so far, in file order. */
    public List<JsonNode> events() {
        return since(0);
    }

    /** How many complete events there are so far (each line is checked to be JSON when it is read as an event). */
    public int count() {
        return completeLines().size();
    }

    /** Events after the first {@code index} ones (only those are parsed: the file grows with every test). */
    public List<JsonNode> since(int index) {
        List<String[]> lines = completeLines();
        List<JsonNode> events = new ArrayList<>();
        for (String[] line : lines.subList(Math.min(index, lines.size()), lines.size())) {
            try {
                JsonNode node = JSON.readTree(line[1]);
                if (node == null || !node.isObject()) {
                    throw new AssertionError(file + " line " + line[0] + " is not a JSON object: " + line[1]);
                }
                events.add(node);
            } catch (JsonProcessingException e) {
                throw new AssertionError(file + " line " + line[0] + " is not JSON: " + line[1], e);
            }
        }
        return events;
    }

    /** The complete (newline-terminated), non-blank lines: {line number, text}. */
    private List<String[]> completeLines() {
        String text = rawText();
        int end = text.lastIndexOf('\n');
        List<String[]> lines = new ArrayList<>();
        if (end < 0) {
            return lines;
        }
        String[] all = text.substring(0, end).split("\n", -1);
        for (int i = 0; i < all.length; i++) {
            if (!all[i].isBlank()) {
                lines.add(new String[] {String.valueOf(i + 1), all[i]});
            }
        }
        return lines;
    }

    /** Waits (bounded) for an event matching {@code match} among those after the first {@code index}. */
    public JsonNode awaitSince(int index, String what, Predicate<JsonNode> match) {
        return awaitSince(index, what, match, DEFAULT_WAIT);
    }

    public JsonNode awaitSince(int index, String what, Predicate<JsonNode> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (JsonNode event : since(index)) {
                if (match.test(event)) {
                    return event;
                }
            }
            if (System.nanoTime() >= deadline) {
                throw new AssertionError("no event " + what + " within " + timeout + " in " + file + "; events since #"
                        + index + ":\n" + describe(since(index)));
            }
            pause();
        }
    }

    /**
     * Waits (bounded) until the events after the first {@code index} together satisfy {@code done}.
     *
     * @return those events
     */
    public List<JsonNode> awaitAllSince(int index, String what, Predicate<List<JsonNode>> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<JsonNode> events = since(index);
            if (done.test(events)) {
                return events;
            }
            if (System.nanoTime() >= deadline) {
                throw new AssertionError("not " + what + " within " + timeout + " in " + file + " (" + events.size()
                        + " events since #" + index + ")");
            }
            pause();
        }
    }

    /** Waits (bounded) for an event matching {@code match} anywhere in the file. */
    public JsonNode await(String what, Predicate<JsonNode> match) {
        return awaitSince(0, what, match, DEFAULT_WAIT);
    }

    /**
     * Proves that a request wrote no event. Events are written while the request is served, so once the event of a
     * later request ({@code followUp}, which must log) has arrived, any event of the earlier one would be in the file
     * before it. Asserts the only events after {@code index} are the follow-up's.
     *
     * @param index the event count taken before the request that must not log
     * @param followUp sends a request that does log
     * @param followUpMatch identifies the follow-up's event(s)
     */
    public void assertNothingLoggedSince(int index, String what, Runnable followUp, Predicate<JsonNode> followUpMatch) {
        assertNothingLoggedSince(index, what, followUp, followUpMatch, e -> true);
    }

    /**
     * As {@link #assertNothingLoggedSince(int, String, Runnable, Predicate)}, for only the events matching
     * {@code unwanted}: other events may have arrived since {@code index}.
     */
    public void assertNothingLoggedSince(int index, String what, Runnable followUp, Predicate<JsonNode> followUpMatch,
                                         Predicate<JsonNode> unwanted) {
        followUp.run();
        awaitSince(index, "for the follow-up request", followUpMatch);
        List<JsonNode> others = since(index).stream().filter(followUpMatch.negate().and(unwanted)).toList();
        if (!others.isEmpty()) {
            throw new AssertionError("expected no event " + what + ", found:\n" + describe(others));
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_MILLIS); // poll interval of a bounded wait on the file
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public static String describe(List<JsonNode> events) {
        return events.isEmpty() ? "  (none)" : events.stream().map(e -> "  " + e).collect(Collectors.joining("\n"));
    }

    // ---- predicates over events ----

    /** True if {@code process.args} has an element equal to {@code arg}. */
    public static Predicate<JsonNode> hasProcessArg(String arg) {
        return e -> {
            for (JsonNode a : e.path("process").path("args")) {
                if (arg.equals(a.asText())) {
                    return true;
                }
            }
            return false;
        };
    }

    /** True if the event's text mentions {@code s} anywhere. */
    public static Predicate<JsonNode> mentions(String s) {
        return e -> e.toString().contains(s);
    }
}
