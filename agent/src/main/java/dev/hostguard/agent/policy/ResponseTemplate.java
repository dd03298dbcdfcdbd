package dev.hostguard.agent.policy;

import java.nio.charset.StandardCharsets;

/**
 * The answer to a request whose operation was refused: a status, a content type and a body in which
 * {@code ${rule}} and {@code ${event_id}} are replaced. Both are safe to insert as they are: rule ids are
 * restricted to letters, digits, {@code .}, {@code _} and {@code -}, and event ids are UUIDs.
 */
public record ResponseTemplate(int status, String contentType, String body) {
    public static final ResponseTemplate DEFAULT = new ResponseTemplate(403, "application/json",
            "{\"error\":\"blocked by HostGuard\",\"rule\":\"${rule}\",\"event_id\":\"${event_id}\"}");

    public byte[] render(String rule, String eventId) {
        return body.replace("${rule}", rule).replace("${event_id}", eventId).getBytes(StandardCharsets.UTF_8);
    }
}
