package dev.hostguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Assertions shared by the tests that send requests to a {@link GuardedService}. */
public final class GuardAssertions {
    private GuardAssertions() {
    }

    /**
     * A refused process start: the command did not run (its marker is absent), exactly one event describes it,
     * and the client got the agent's 403 naming that event. Checked in that order, so a wrong status is reported
     * only after what the agent did on the host side was confirmed.
     */
    public static JsonNode assertBlocked(GuardedService service, HttpTestClient.Response response, Path marker,
                                         int eventsBefore, ProcessStartEvent expected) {
        JsonNode event = assertRefused(service, "response " + response, marker, eventsBefore, expected);
        String eventId = ProcessStartEvent.assertBlockResponse(response);
        assertEquals(event.path("event").path("id").asText(), eventId, "403 event_id vs the event's event.id");
        return event;
    }

    /**
     * A refused process start, whoever answered the client: the command did not run (its marker is absent) and
     * exactly one event, {@code expected}, describes it; returns that event. The marker is checked again once the
     * event is there, so a refusal that happened after the response (work handed over) is covered too.
     *
     * @param context what to add to a failure message (the response, say)
     */
    public static JsonNode assertRefused(GuardedService service, String context, Path marker, int eventsBefore,
                                         ProcessStartEvent expected) {
        assertFalse(Files.exists(marker), "blocked, yet the command ran: " + marker + " exists (" + context + ")");
        Predicate<JsonNode> thisStart = EventLog.hasProcessArg(marker.toString());
        JsonNode event = service.events().awaitSince(eventsBefore, "for " + marker, thisStart);
        expected.assertMatches(event);
        assertFalse(Files.exists(marker), "blocked, yet the command ran: " + marker + " exists (" + context + ")");
        assertOnlyEvents(service.events(), eventsBefore, List.of(thisStart));
        return event;
    }

    /** Every event after {@code before} matches exactly one of {@code expected}, and each of those matched once. */
    public static void assertOnlyEvents(EventLog events, int before, List<Predicate<JsonNode>> expected) {
        List<JsonNode> since = events.since(before);
        int[] hits = new int[expected.size()];
        List<JsonNode> unexpected = new ArrayList<>();
        for (JsonNode e : since) {
            boolean matched = false;
            for (int i = 0; i < expected.size(); i++) {
                if (expected.get(i).test(e)) {
                    hits[i]++;
                    matched = true;
                }
            }
            if (!matched) {
                unexpected.add(e);
            }
        }
        assertTrue(unexpected.isEmpty(), () -> "unexpected events:\n" + EventLog.describe(unexpected));
        for (int hit : hits) {
            assertEquals(1, hit, () -> "expected exactly one event each, got:\n" + EventLog.describe(since));
        }
    }

    /** The raw API key is in neither the events file nor anything the server printed. */
    public static void assertKeyNotLeaked(GuardedService service) {
        String key = service.secrets().apiKey();
        assertFalse(service.events().rawText().contains(key), "the raw API key is in the events file");
        assertFalse(service.process().logText().contains(key), "the raw API key is in the server log");
    }
}
