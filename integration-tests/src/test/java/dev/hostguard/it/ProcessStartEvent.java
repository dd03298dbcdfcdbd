package dev.hostguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@code process-start} event must say.
 *
 * @param blocked whether the agent refused the start ({@code decision=blocked}, {@code outcome=failure})
 * @param mode {@code hostguard.mode}
 * @param auth {@code hostguard.auth}
 * @param urlPath {@code url.path}
 * @param args {@code process.args}, exactly
 * @param workingDirectory {@code process.working_directory}
 * @param keyFingerprint {@code api_key.fingerprint}, or null if {@code api_key} must be absent, or
 *     {@link RequestEventFields#ANY_KEY_FINGERPRINT}
 * @param appPackage the package prefix {@code hostguard.frames[0]} must start with: the application's code
 */
public record ProcessStartEvent(boolean blocked, String mode, String auth, String urlPath, List<String> args,
                                Path workingDirectory, String keyFingerprint, String appPackage) {

    /** An event of the demo's code (the demo, and the test apps that run its actions). */
    public ProcessStartEvent(boolean blocked, String mode, String auth, String urlPath, List<String> args,
                             Path workingDirectory, String keyFingerprint) {
        this(blocked, mode, auth, urlPath, args, workingDirectory, keyFingerprint, "dev.hostguard.demo.");
    }

    /** Asserts every field of {@code event}; the message carries the event. */
    public void assertMatches(JsonNode event) {
        String context = "\n  in event " + event;
        List<String> problems = new ArrayList<>();

        RequestEventFields.checkEnvelope(problems, event);
        JsonNode ev = event.path("event");
        if (!contains(ev.path("category"), "process")) {
            problems.add("event.category does not contain \"process\": " + ev.path("category"));
        }
        RequestEventFields.check(problems, "event.action", "process-start", ev.path("action"));
        RequestEventFields.check(problems, "event.outcome", blocked ? "failure" : "success", ev.path("outcome"));

        JsonNode hg = event.path("hostguard");
        RequestEventFields.check(problems, "hostguard.decision", blocked ? "blocked" : "logged", hg.path("decision"));
        RequestEventFields.check(problems, "hostguard.mode", mode, hg.path("mode"));
        RequestEventFields.check(problems, "hostguard.rule", "process-start", hg.path("rule"));
        RequestEventFields.check(problems, "hostguard.auth", auth, hg.path("auth"));
        JsonNode frames = hg.path("frames");
        if (!frames.isArray() || frames.isEmpty()) {
            problems.add("hostguard.frames is not a non-empty array: " + frames);
        } else {
            if (!frames.get(0).asText().startsWith(appPackage)) {
                problems.add("hostguard.frames[0] is not the application's code (" + appPackage + "*): " + frames);
            }
            for (JsonNode f : frames) {
                if (!f.isTextual() || !f.asText().matches("[\\w.$/<>-]+\\.[\\w$<>-]+\\(.*\\)")) {
                    problems.add("hostguard.frames has a malformed frame: " + f);
                }
            }
        }

        JsonNode process = event.path("process");
        String executable = process.path("executable").asText("");
        if (!(executable.equals(args.get(0)) || executable.endsWith("/" + args.get(0)))) {
            problems.add("process.executable is not " + args.get(0) + ": '" + executable + "'");
        }
        List<String> actualArgs = new ArrayList<>();
        process.path("args").forEach(a -> actualArgs.add(a.asText()));
        if (!actualArgs.equals(args)) {
            problems.add("process.args: expected " + args + " but was " + process.path("args"));
        }
        String dir = process.path("working_directory").asText("");
        if (dir.isEmpty() || !Path.of(dir).normalize().equals(workingDirectory.normalize())) {
            problems.add("process.working_directory: expected " + workingDirectory + " but was "
                    + process.path("working_directory"));
        }

        RequestEventFields.check(problems, event, urlPath, keyFingerprint, List.of("cmd=", "api=", "dir="));
        if (!problems.isEmpty()) {
            fail(String.join("\n  ", problems) + context);
        }
    }


    private static boolean contains(JsonNode array, String value) {
        for (JsonNode n : array) {
            if (value.equals(n.asText())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Asserts a 403 answer from the agent: {@code {"error":"blocked by HostGuard","rule":"process-start",
     * "event_id":...}}, and returns the event id.
     */
    public static String assertBlockResponse(HttpTestClient.Response response) {
        return assertBlockResponse(response, "process-start");
    }

    /**
     * Asserts a 403 answer from the agent: {@code {"error":"blocked by HostGuard","rule":"<rule>","event_id":...}},
     * and returns the event id.
     */
    public static String assertBlockResponse(HttpTestClient.Response response, String rule) {
        assertEquals(403, response.status(), () -> "expected the agent's 403, got " + response);
        JsonNode body = response.json();
        assertEquals("blocked by HostGuard", body.path("error").asText(), () -> "403 body: " + response.body());
        assertEquals(rule, body.path("rule").asText(), () -> "403 body: " + response.body());
        String id = body.path("event_id").asText("");
        assertFalse(id.isBlank(), () -> "403 body has no event_id: " + response.body());
        return id;
    }

    /** Asserts a 200 from the action: {@code exit=0} (the command ran and succeeded). */
    public static void assertRan(HttpTestClient.Response response) {
        assertEquals(200, response.status(), () -> "expected 200, got " + response);
        assertTrue(response.body().startsWith("exit=0"), () -> "command did not succeed: " + response.body());
    }
}
