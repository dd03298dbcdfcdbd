package dev.hostguard.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;

/** The checks every event shares, whatever the operation: its envelope, the request it served, the key, the thread. */
final class RequestEventFields {
    /**
     * For {@code keyFingerprint}: the event may carry a key fingerprint (12 hex digits) or none. For a request whose
     * key the agent knows only through the principal the application made of it, where the contract leaves open
     * what it fingerprints.
     */
    static final String ANY_KEY_FINGERPRINT = "<any fingerprint or none>";

    private RequestEventFields() {
    }

    /** Adds a line to {@code problems} for a wrong {@code @timestamp}, {@code event.id} or {@code event.kind}. */
    static void checkEnvelope(List<String> problems, JsonNode event) {
        String timestamp = event.path("@timestamp").asText("");
        try {
            Instant.parse(timestamp);
        } catch (DateTimeParseException e) {
            problems.add("@timestamp is not an ISO-8601 instant: '" + timestamp + "'");
        }
        JsonNode ev = event.path("event");
        try {
            UUID.fromString(ev.path("id").asText(""));
        } catch (IllegalArgumentException e) {
            problems.add("event.id is not a UUID: " + ev.path("id"));
        }
        check(problems, "event.kind", "alert", ev.path("kind"));
    }

    /**
     * Adds a line to {@code problems} for every shared request field that is wrong.
     *
     * @param queryMarkers {@code name=} fragments of the request's query string, none of which may appear
     * @param keyFingerprint the fingerprint of the key sent; {@code null} when none was, so none may appear;
     *     {@link #ANY_KEY_FINGERPRINT} when either is right
     */
    static void check(List<String> problems, JsonNode event, String urlPath, String keyFingerprint,
                      List<String> queryMarkers) {
        check(problems, "url.path", urlPath, event.path("url").path("path"));
        if (event.path("url").has("query") || event.path("url").has("full") || event.path("url").has("original")) {
            problems.add("url carries more than the path: " + event.path("url"));
        }
        String text = event.toString();
        if (queryMarkers.stream().anyMatch(text::contains)) {
            problems.add("the event carries the query string");
        }
        check(problems, "http.request.method", "GET", event.path("http").path("request").path("method"));
        check(problems, "client.ip", "127.0.0.1", event.path("client").path("ip"));
        if (keyFingerprint == null) {
            if (event.has("api_key")) {
                problems.add("api_key present although no key was sent: " + event.path("api_key"));
            }
        } else if (keyFingerprint.equals(ANY_KEY_FINGERPRINT)) {
            if (event.has("api_key") && !event.path("api_key").path("fingerprint").asText("").matches("[0-9a-f]{12}")) {
                problems.add("api_key.fingerprint is not 12 hex digits: " + event.path("api_key"));
            }
        } else {
            check(problems, "api_key.fingerprint", keyFingerprint, event.path("api_key").path("fingerprint"));
        }
        if (event.path("thread").path("name").asText("").isBlank()) {
            problems.add("thread.name missing");
        }
    }

    static void check(List<String> problems, String field, String expected, JsonNode actual) {
        if (!actual.isTextual() || !expected.equals(actual.asText())) {
            problems.add(field + ": expected \"" + expected + "\" but was " + (actual.isMissingNode() ? "missing" : actual));
        }
    }
}
