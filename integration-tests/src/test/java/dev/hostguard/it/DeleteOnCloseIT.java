package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code DELETE_ON_CLOSE} of a file that may be read but not deleted (rule {@code logs-stand-in}: write, change),
 * in an API-key request, in block mode, on the JDK {@code HttpServer} app, every JDK: the JDK unlinks the file right
 * after its open and ignores only its own exception there, so a refusal thrown as ours would leave each open's
 * descriptor open for good. Over {@value #OPENS} opens, through {@code Files.newByteChannel} ({@code unlink}) and a
 * {@code SecureDirectoryStream} ({@code unlinkat}): the service's descriptors ({@code /proc/<pid>/fd}, read by this
 * test) do not grow, the file stays, and each refusal is an event ({@code file-delete}, blocked). The open itself
 * goes ahead (the JDK's delete is best effort), so the application answers on.
 */
class DeleteOnCloseIT {
    private static final String TEST = DeleteOnCloseIT.class.getSimpleName();
    private static final String RULE = "logs-stand-in";
    private static final int OPENS = 200;

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ServiceSlots SLOTS = new ServiceSlots();

    @TestFactory
    Stream<DynamicNode> refusedDeleteOnCloseLeaksNoDescriptor() {
        return Jdks.all().stream().map(this::forService);
    }

    private DynamicContainer forService(Jdks.Jdk jdk) {
        Path dir = tmp.resolve(jdk.label());
        Path logs = dir.resolve("logs");
        String policy = GuardedService.UNLIMITED_EVENTS_POLICY
                + "rules:\n  - id: " + RULE + "\n    paths: [\"" + logs + "/**\"]\n    access: [write, change]\n";
        ServiceSlot slot = new ServiceSlot(TEST, jdk, GuardedServer.HTTPSERVER_APP, "block", dir,
                GuardedService.withPolicy(dir.resolve("policy.yaml"), policy));
        SLOTS.add(slot);
        String at = slot.label();
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "start with a policy protecting " + logs + " against writes (" + RULE + ")",
                slot::start));
        for (String via : List.of("files-new-byte-channel", "secure-directory-stream")) {
            tests.add(dynamicTest(at + OPENS + " delete-on-close opens through " + via
                    + " as api-key -> the file stays, no descriptor left, event blocked",
                    () -> refused(slot.require(), Files.createDirectories(logs.resolve(via)), via)));
        }
        tests.add(dynamicTest(at + "stop the server: no agent WARN/ERROR, no leaked key", slot::stop));
        return dynamicContainer("JDK " + jdk.version(), tests);
    }

    private static void refused(GuardedService service, Path logs, String via) throws IOException {
        Path file = Files.writeString(logs.resolve("audit.log"), "x");
        warmUp(service, logs, via);
        int before = service.events().count();
        long descriptorsBefore = descriptors(service);

        HttpTestClient.Response response = request(service, Credentials.API_KEY, file, OPENS, via).send();

        long descriptorsAfter = descriptors(service);
        Predicate<JsonNode> refusal = e -> "file-delete".equals(e.at("/event/action").asText())
                && file.toString().equals(e.at("/file/path").asText())
                && RULE.equals(e.at("/hostguard/rule").asText())
                && "api-key".equals(e.at("/hostguard/auth").asText())
                && "blocked".equals(e.at("/hostguard/decision").asText());
        List<JsonNode> events = service.events().awaitAllSince(before, "the " + RULE + " events",
                seen -> seen.stream().filter(refusal).count() == OPENS, EventLog.DEFAULT_WAIT);
        assertTrue(events.size() == OPENS && events.stream().allMatch(refusal),
                () -> "one refusal per open and nothing else: " + events.size() + " events since the request");
        assertTrue(Files.exists(file), "the refused delete-on-close deleted the file");
        assertTrue(descriptorsAfter - descriptorsBefore < OPENS / 10, () -> "the service's descriptors grew from "
                + descriptorsBefore + " to " + descriptorsAfter + " over " + OPENS + " refused delete-on-close opens");
        // the JDK swallowed each refusal as a failed best-effort delete: the application went on and answered
        assertEquals(200, response.status(), () -> "the application's own answer: " + response);
        assertTrue(response.body().contains("opened " + OPENS + " times; exists=true"), response::toString);
        service.process().assertNoUnexpectedAgentProblems();
    }

    /**
     * One user's delete-on-close in {@code logs} before the count: whatever the first such request opens once for
     * good (classes' jars, the JDK's lazily opened files) is open before the descriptors are counted.
     */
    private static void warmUp(GuardedService service, Path logs, String via) throws IOException {
        Path scratch = Files.writeString(logs.resolve("scratch"), "x");
        HttpTestClient.Response response = request(service, Credentials.USER_LOGIN, scratch, 1, via).send();
        assertEquals(200, response.status(), () -> "the user's delete-on-close: " + response);
        assertTrue(Files.notExists(scratch), "a user's delete-on-close deletes");
    }

    private static HttpTestClient.Get request(GuardedService service, Credentials credentials, Path file, int count,
                                              String via) {
        HttpTestClient.Get get = HttpTestClient.get(service.process().baseUri(),
                GuardedServer.HTTPSERVER_APP.route(credentials))
                .query("api", "files-delete-on-close")
                .query("path", file.toString())
                .query("count", Integer.toString(count))
                .query("via", via);
        return service.withCredentials(get, credentials);
    }

    private static long descriptors(GuardedService service) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(service.pid()), "fd"))) {
            return fds.count();
        }
    }
}
