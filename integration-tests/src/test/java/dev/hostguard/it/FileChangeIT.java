package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostguard.demo.Actions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every change of the file system other than an open (issue 18, item 1), through the demo's file-change actions
 * ({@link Actions#fileChangeActions()}: NIO and java.io), on the JDK {@code HttpServer} app, on every JDK, in audit
 * and block mode, against {@code <dir>/host}, which the policy protects as the default {@code host-filesystem} rule
 * protects {@code /host} (rule {@code host-stand-in}: read, write, change). One service per JDK and mode.
 * <ul>
 *   <li>an API-key and an anonymous request: one event per change, with the rule, the access ({@code write} for a
 *       name created, removed or replaced, {@code change} for mode, group, times and xattrs), the judged path, a
 *       rename's or link's other path ({@code file.target_path}) and what changed ({@code hostguard.change});
 *       block: the agent's 403 naming the event, and on disk nothing changed (the files, modes, groups, times and
 *       xattrs read back by this test); audit: the change happened</li>
 *   <li>a logged-in user's request: every change happens, no event</li>
 * </ul>
 * Work outside requests is covered in-process ({@code FileChangeInProcessTest}), where no server is needed for it.
 */
class FileChangeIT {
    private static final String TEST = FileChangeIT.class.getSimpleName();
    private static final List<String> MODES = List.of("audit", "block");
    private static final List<Credentials> GUARDED = List.of(Credentials.API_KEY, Credentials.NONE);
    private static final String RULE = "host-stand-in";

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ServiceSlots SLOTS = new ServiceSlots();

    /** What a case does on disk before its request, and how to tell afterwards whether the change happened. */
    private interface Setup {
        Plan prepare(Path host, Path plain) throws IOException;
    }

    private interface Check {
        boolean happened() throws IOException;
    }

    /**
     * @param params the action's parameters
     * @param happened whether the change is on disk
     * @param event the one event a guarded request's change writes
     * @param opensForReading whether the JDK then opens the file read-only to change it through the descriptor (NIO's
     *     {@code setTimes} and user-defined attributes): in audit mode, where the change goes ahead, that open is a
     *     {@code file-open} read event of its own (in block mode the change is refused before it)
     */
    private record Plan(Map<String, String> params, Check happened, Predicate<JsonNode> event,
                        boolean opensForReading) {
        Plan(Map<String, String> params, Check happened, Predicate<JsonNode> event) {
            this(params, happened, event, false);
        }
    }

    /** The demo's actions, each with its setup; some twice (into and out of the protected directory). */
    private static final Map<String, Setup> CASES = new LinkedHashMap<>();

    static {
        CASES.put("files-move into", (host, plain) -> {
            Path from = Files.writeString(plain.resolve("cron"), "* * * * * root sh /tmp/x");
            Path to = host.resolve("cron");
            return new Plan(params("files-move", to(from, to)), () -> Files.exists(to),
                    event("file-rename", to, "write", from, null));
        });
        CASES.put("files-move out of", (host, plain) -> {
            Path from = Files.writeString(host.resolve("shadow"), "root:x");
            Path to = plain.resolve("shadow");
            return new Plan(params("files-move", to(from, to)), () -> Files.exists(to),
                    event("file-rename", from, "write", to, null));
        });
        CASES.put("file-rename-to into", (host, plain) -> {
            Path from = Files.writeString(plain.resolve("ld.so.preload"), "/tmp/evil.so");
            Path to = host.resolve("ld.so.preload");
            return new Plan(params("file-rename-to", to(from, to)), () -> Files.exists(to),
                    event("file-rename", to, "write", from, null));
        });
        CASES.put("files-create-link (new name inside)", (host, plain) -> {
            Path existing = Files.writeString(plain.resolve("keys"), "ssh-ed25519 AAAA");
            Path link = host.resolve("authorized-keys-link");
            return new Plan(params("files-create-link", Map.of("path", link.toString(), "target", existing.toString())),
                    () -> Files.exists(link), event("file-link", link, "write", existing, null));
        });
        CASES.put("files-create-link (to a protected file)", (host, plain) -> {
            Path existing = Files.writeString(host.resolve("shadow"), "root:x");
            Path link = plain.resolve("innocent");
            return new Plan(params("files-create-link", Map.of("path", link.toString(), "target", existing.toString())),
                    () -> Files.exists(link, LinkOption.NOFOLLOW_LINKS), event("file-link", existing, "write", link, null));
        });
        CASES.put("files-create-symbolic-link", (host, plain) -> {
            Path link = host.resolve("sym");
            return new Plan(params("files-create-symbolic-link", Map.of("path", link.toString(), "target", "/etc/passwd")),
                    () -> Files.isSymbolicLink(link), event("file-symlink", link, "write", Path.of("/etc/passwd"), null));
        });
        for (String api : List.of("files-delete", "file-delete")) {
            CASES.put(api, (host, plain) -> {
                Path file = Files.writeString(host.resolve("evidence.log"), "x");
                return new Plan(params(api, path(file)), () -> Files.notExists(file),
                        event("file-delete", file, "write", null, null));
            });
        }
        for (String api : List.of("files-create-directory", "file-mkdir", "file-create-new-file")) {
            CASES.put(api, (host, plain) -> {
                Path created = host.resolve("new");
                return new Plan(params(api, path(created)), () -> Files.exists(created),
                        event("file-create", created, "write", null, null));
            });
        }
        CASES.put("file-create-temp-file", (host, plain) -> new Plan(params("file-create-temp-file", path(host)),
                () -> {
                    try (Stream<Path> names = Files.list(host)) {
                        return names.findAny().isPresent();
                    }
                },
                e -> "file-create".equals(action(e)) && e.at("/file/path").asText().startsWith(host + "/hostguard")
                        && "write".equals(e.at("/hostguard/access").asText())));
        CASES.put("files-set-mode (unix:mode 4755)", (host, plain) -> {
            Path file = modeFile(host);
            return new Plan(params("files-set-mode", path(file)),
                    () -> ((int) Files.getAttribute(file, "unix:mode") & 04000) != 0,
                    event("file-attributes", file, "change", null, "mode 4755"));
        });
        CASES.put("files-set-posix-permissions", (host, plain) -> {
            Path file = modeFile(host);
            return new Plan(params("files-set-posix-permissions", path(file)),
                    () -> PosixFilePermissions.toString(Files.getPosixFilePermissions(file)).equals("rwxrwxrwx"),
                    event("file-attributes", file, "change", null, "mode 777"));
        });
        CASES.put("file-set-executable", (host, plain) -> {
            Path file = modeFile(host);
            return new Plan(params("file-set-executable", path(file)),
                    () -> PosixFilePermissions.toString(Files.getPosixFilePermissions(file)).endsWith("x"),
                    event("file-attributes", file, "change", null, "mode a+x"));
        });
        CASES.put("files-set-group (daemon)", (host, plain) -> {
            Path file = Files.writeString(host.resolve("sudoers"), "x");
            String before = Files.readAttributes(file, PosixFileAttributes.class).group().getName();
            Map<String, String> params = new LinkedHashMap<>(params("files-set-group", path(file)));
            params.put("group", before.equals("daemon") ? "root" : "daemon");
            return new Plan(params,
                    () -> !Files.readAttributes(file, PosixFileAttributes.class).group().getName().equals(before),
                    event("file-attributes", file, "change", null, "owner"));
        });
        for (String api : List.of("files-set-last-modified", "file-set-last-modified")) {
            CASES.put(api, (host, plain) -> {
                Path file = Files.writeString(host.resolve("wtmp"), "x");
                return new Plan(params(api, path(file)), () -> Files.getLastModifiedTime(file).toMillis() == 0,
                        event("file-attributes", file, "change", null, "times"), api.startsWith("files-"));
            });
        }
        CASES.put("files-write-xattr", (host, plain) -> {
            Path file = Files.writeString(host.resolve("binary"), "x");
            return new Plan(params("files-write-xattr", path(file)),
                    () -> Files.getFileAttributeView(file, UserDefinedFileAttributeView.class).list().contains("hostguard"),
                    event("file-attributes", file, "change", null, "xattr hostguard"), true);
        });
    }

    @TestFactory
    Stream<DynamicNode> fileChanges() {
        return Jdks.all().stream().map(jdk -> dynamicContainer("JDK " + jdk.version(),
                MODES.stream().map(mode -> forService(jdk, mode))));
    }

    /** The cases must grow with the demo: every file-change action of the demo is tried here. */
    @Test
    void coversEveryFileChangeActionOfTheDemo() {
        TreeSet<String> tried = new TreeSet<>();
        for (String name : CASES.keySet()) {
            tried.add(name.split(" ")[0]);
        }
        assertEquals(new TreeSet<>(Actions.fileChangeActions()), tried);
    }

    private DynamicContainer forService(Jdks.Jdk jdk, String mode) {
        Path dir = tmp.resolve(jdk.label() + "-" + mode);
        Path host = dir.resolve("host");
        Path plain = dir.resolve("plain");
        String policy = GuardedService.UNLIMITED_EVENTS_POLICY
                + "rules:\n  - id: " + RULE + "\n    paths: [\"" + host + "/**\"]\n";
        ServiceSlot slot = new ServiceSlot(TEST, jdk, GuardedServer.HTTPSERVER_APP, mode, dir,
                GuardedService.withPolicy(dir.resolve("policy.yaml"), policy));
        SLOTS.add(slot);
        String at = slot.label();
        AtomicInteger cases = new AtomicInteger();
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "start with a policy protecting " + host + " (" + RULE + ")", slot::start));
        String outcome = slot.blocking() ? "the agent's 403, nothing changed on disk, event blocked"
                : "the change happened, event logged";
        for (Map.Entry<String, Setup> c : CASES.entrySet()) {
            for (Credentials credentials : GUARDED) {
                tests.add(dynamicTest(at + c.getKey() + " as " + credentials.authClass() + " -> " + outcome,
                        () -> guarded(slot.require(), credentials, c.getValue(),
                                Files.createDirectories(host.resolve("c" + cases.incrementAndGet())),
                                Files.createDirectories(plain.resolve("c" + cases.get())))));
            }
            tests.add(dynamicTest(at + c.getKey() + " as the logged-in user -> it happened, no event",
                    () -> user(slot.require(), c.getValue(),
                            Files.createDirectories(host.resolve("c" + cases.incrementAndGet())),
                            Files.createDirectories(plain.resolve("c" + cases.get())))));
        }
        tests.add(dynamicTest(at + "stop the server: no agent WARN/ERROR, no leaked key", slot::stop));
        return dynamicContainer("mode=" + mode, tests);
    }

    private static void guarded(GuardedService service, Credentials credentials, Setup setup, Path host, Path plain)
            throws IOException {
        Plan plan = setup.prepare(host, plain);
        int before = service.events().count();
        HttpTestClient.Response response = request(service, credentials, plan.params()).send();
        Predicate<JsonNode> expected = plan.event().and(e -> RULE.equals(e.at("/hostguard/rule").asText())
                && credentials.authClass().equals(e.at("/hostguard/auth").asText())
                && (service.blocking() ? "blocked" : "logged").equals(e.at("/hostguard/decision").asText()));
        List<JsonNode> events = service.events().awaitAllSince(before, "the " + RULE + " event",
                seen -> seen.stream().anyMatch(expected), EventLog.DEFAULT_WAIT);
        List<Predicate<JsonNode>> all = new ArrayList<>(List.of(expected));
        if (plan.opensForReading() && !service.blocking()) {
            String changed = events.stream().filter(expected).findFirst().orElseThrow().at("/file/path").asText();
            all.add(e -> "file-open".equals(action(e)) && changed.equals(e.at("/file/path").asText())
                    && "read".equals(e.at("/hostguard/access").asText()));
        }
        GuardAssertions.assertOnlyEvents(service.events(), before, all);
        List<String> problems = new ArrayList<>();
        RequestEventFields.checkEnvelope(problems, events.get(0));
        assertTrue(problems.isEmpty(), () -> problems + " in " + events.get(0));
        if (service.blocking()) {
            String eventId = ProcessStartEvent.assertBlockResponse(response, RULE);
            assertEquals(events.get(0).at("/event/id").asText(), eventId, "403 event_id vs the event's");
            assertEquals(false, plan.happened().happened(), "refused, yet on disk: " + plan.params());
        } else {
            assertEquals(200, response.status(), () -> "expected 200, got " + response);
            assertTrue(plan.happened().happened(), "audit: the change happened: " + plan.params());
        }
        service.process().assertNoUnexpectedAgentProblems();
    }

    private static void user(GuardedService service, Setup setup, Path host, Path plain) throws IOException {
        Plan plan = setup.prepare(host, plain);
        int before = service.events().count();
        HttpTestClient.Response response = request(service, Credentials.USER_LOGIN, plan.params()).send();
        assertEquals(200, response.status(), () -> "the user's change: " + response);
        assertTrue(plan.happened().happened(), "the user's change happened: " + plan.params());
        Path marker = service.marker("after-user-" + host.getFileName());
        service.events().assertNothingLoggedSince(before, "for the user's change",
                () -> service.exec(Credentials.NONE, "process-builder", "touch " + marker).send(),
                EventLog.hasProcessArg(marker.toString()));
    }

    private static HttpTestClient.Get request(GuardedService service, Credentials credentials,
                                              Map<String, String> params) {
        HttpTestClient.Get get = HttpTestClient.get(service.process().baseUri(),
                GuardedServer.HTTPSERVER_APP.route(credentials));
        params.forEach(get::query);
        return service.withCredentials(get, credentials);
    }

    // ---- cases ----

    private static Map<String, String> params(String api, Map<String, String> rest) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("api", api);
        params.putAll(rest);
        return params;
    }

    private static Map<String, String> path(Path path) {
        return Map.of("path", path.toString());
    }

    private static Map<String, String> to(Path from, Path to) {
        return Map.of("path", from.toString(), "target", to.toString());
    }

    private static Path modeFile(Path host) throws IOException {
        Path file = Files.writeString(host.resolve("bin"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return file;
    }

    /** The event of one judged path: its action, path, access, other path and change (each {@code null}: absent). */
    private static Predicate<JsonNode> event(String action, Path path, String access, Path other, String change) {
        return e -> action.equals(action(e)) && path.toString().equals(e.at("/file/path").asText())
                && access.equals(e.at("/hostguard/access").asText())
                && (other == null ? e.at("/file/target_path").isMissingNode()
                        : other.toString().equals(e.at("/file/target_path").asText()))
                && (change == null ? e.at("/hostguard/change").isMissingNode()
                        : change.equals(e.at("/hostguard/change").asText()));
    }

    private static String action(JsonNode event) {
        return event.path("event").path("action").asText();
    }
}
