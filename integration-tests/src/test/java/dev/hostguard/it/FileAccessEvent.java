package dev.hostguard.it;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a {@code file-open}, {@code directory-list} or {@code unix-connect} event must say.
 *
 * @param blocked whether the agent refused the operation ({@code decision=blocked}, {@code outcome=failure})
 * @param mode {@code hostguard.mode}
 * @param auth {@code hostguard.auth}
 * @param urlPath {@code url.path}
 * @param kind {@code event.action} and {@code hostguard.access}
 * @param rule {@code hostguard.rule}
 * @param paths what {@code file.path} may be (the canonical path; several where the contract leaves a choice, e.g.
 *     {@code /proc/thread-self} as {@code /proc/<pid>} or {@code /proc/<pid>/task/<tid>})
 * @param given the path as the request gave it
 * @param workingDirectory the server's, against which a relative {@code given} is made absolute
 * @param checkOriginalPath whether {@code file.original_path} must name {@code given} (false for the
 *     {@code openat} shapes, whose given path is relative to a directory descriptor)
 * @param keyFingerprint {@code api_key.fingerprint}, or null if {@code api_key} must be absent, or
 *     {@link RequestEventFields#ANY_KEY_FINGERPRINT}
 * @param appPackage the package prefix {@code hostguard.frames[0]} must start with: the application's code
 */
public record FileAccessEvent(boolean blocked, String mode, String auth, String urlPath, FileShapes.Kind kind,
                              String rule, List<Pattern> paths, String given, Path workingDirectory,
                              boolean checkOriginalPath, String keyFingerprint, String appPackage) {

    /** An event of the demo's code (the demo, and the test apps that run its actions). */
    public FileAccessEvent(boolean blocked, String mode, String auth, String urlPath, FileShapes.Kind kind,
                           String rule, List<Pattern> paths, String given, Path workingDirectory,
                           boolean checkOriginalPath, String keyFingerprint) {
        this(blocked, mode, auth, urlPath, kind, rule, paths, given, workingDirectory, checkOriginalPath,
                keyFingerprint, "dev.hostguard.demo.");
    }

    /** Identifies the event of one request: its action, route and rule. */
    public Predicate<JsonNode> identifies() {
        return e -> kind.action().equals(e.path("event").path("action").asText())
                && urlPath.equals(e.path("url").path("path").asText())
                && rule.equals(e.path("hostguard").path("rule").asText());
    }

    /** Asserts every field of {@code event}; the message carries the event. */
    public void assertMatches(JsonNode event) {
        List<String> problems = new ArrayList<>();

        RequestEventFields.checkEnvelope(problems, event);
        JsonNode ev = event.path("event");
        JsonNode category = ev.path("category");
        if (!category.isArray() || category.isEmpty() || !category.get(0).isTextual()) {
            problems.add("event.category is not a non-empty array of strings: " + category);
        }
        RequestEventFields.check(problems, "event.action", kind.action(), ev.path("action"));
        RequestEventFields.check(problems, "event.outcome", blocked ? "failure" : "success", ev.path("outcome"));

        JsonNode hg = event.path("hostguard");
        RequestEventFields.check(problems, "hostguard.decision", blocked ? "blocked" : "logged", hg.path("decision"));
        RequestEventFields.check(problems, "hostguard.mode", mode, hg.path("mode"));
        RequestEventFields.check(problems, "hostguard.rule", rule, hg.path("rule"));
        RequestEventFields.check(problems, "hostguard.auth", auth, hg.path("auth"));
        RequestEventFields.check(problems, "hostguard.access", kind.access(), hg.path("access"));
        JsonNode frames = hg.path("frames");
        if (!frames.isArray() || frames.isEmpty()) {
            problems.add("hostguard.frames is not a non-empty array: " + frames);
        } else if (!frames.get(0).asText().startsWith(appPackage)) {
            problems.add("hostguard.frames[0] is not the application's code (" + appPackage + "*): " + frames);
        }

        JsonNode file = event.path("file");
        String path = file.path("path").asText("");
        if (paths.stream().noneMatch(p -> p.matcher(path).matches())) {
            problems.add("file.path: expected one of " + paths.stream().map(Pattern::pattern)
                    .collect(Collectors.joining(" | ")) + " but was " + file.path("path"));
        }
        Path givenAbsolute = workingDirectory.resolve(given).normalize();
        JsonNode original = file.path("original_path");
        if (!original.isMissingNode() && !original.isNull()) {
            if (!original.isTextual() || original.asText().isEmpty()) {
                problems.add("file.original_path is not a non-empty string: " + original);
            } else if (checkOriginalPath && !workingDirectory.resolve(original.asText()).normalize().equals(givenAbsolute)) {
                problems.add("file.original_path does not name the path as given ('" + given + "'): " + original);
            }
        } else if (checkOriginalPath && !givenAbsolute.toString().equals(path)) {
            problems.add("file.original_path missing although the path as given ('" + given + "') is not file.path");
        }

        RequestEventFields.check(problems, event, urlPath, keyFingerprint, List.of("api=", "path=", "data="));
        if (!problems.isEmpty()) {
            fail(String.join("\n  ", problems) + "\n  in event " + event);
        }
    }

}
