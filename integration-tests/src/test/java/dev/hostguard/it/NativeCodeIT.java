package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native code and writes under {@code /proc} and {@code /sys} (issue 13, items 4 and 5), on the JDK
 * {@code HttpServer} app with JNA 5.17 on its class path, on every JDK, in audit and block mode. Nothing is compiled:
 * the libraries are the JDK's own ({@code lib/librmi.so} by path through {@code System.load}, {@code j2gss} by name
 * through {@code Runtime.loadLibrary}) and libc; the native calls are libc's {@code mkdir(marker)}, whose directory
 * shows whether the call happened.
 * <ul>
 *   <li>from an API-key and an anonymous request: {@code System.load}, {@code Runtime.loadLibrary}, JNA
 *       ({@code NativeLibrary.getInstance("c")} then {@code mkdir}), FFM on JDK 22+ ({@code SymbolLookup.libraryLookup
 *       ("libc.so.6")} then a downcall to {@code mkdir}; the default lookup and a downcall to {@code mkdir}; on JDK 17
 *       skipped with the reason), {@code /proc/self/environ} and {@code /proc/self/mountinfo} opened for writing, a
 *       file created under {@code /sys}: audit: each runs (the marker directory is there) with one {@code logged}
 *       event of rule {@code native-code} or {@code proc-sys-write} per finding; block: the agent's 403 naming the
 *       event, the marker never made, and at the end neither library is mapped in the server
 *       ({@code /proc/<pid>/maps})</li>
 *   <li>the logged-in user's requests: the same operations run, no event (and then the libraries are mapped: the
 *       maps check sees a load)</li>
 *   <li>outside requests: a library the app loads at start-up ({@code BOOT_NATIVE}, {@code lib/libprefs.so}), no
 *       event</li>
 * </ul>
 */
class NativeCodeIT {
    private static final String TEST = NativeCodeIT.class.getSimpleName();
    private static final List<String> MODES = List.of("audit", "block");
    private static final List<Credentials> GUARDED = List.of(Credentials.API_KEY, Credentials.NONE);
    private static final Pattern DOWNCALL_MKDIR = Pattern.compile("function \\(a8i4\\)i4 at 0x[0-9a-f]+");

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ServiceSlots SLOTS = new ServiceSlots();

    @TestFactory
    Stream<DynamicNode> nativeCodeAndWritesBelowProcAndSys() {
        return Jdks.all().stream().map(jdk -> dynamicContainer("JDK " + jdk.version(),
                MODES.stream().map(mode -> forService(jdk, mode))));
    }

    private DynamicContainer forService(Jdks.Jdk jdk, String mode) {
        Path dir = tmp.resolve(jdk.label() + "-" + mode);
        Path lib = jdk.home().resolve("lib");
        ServiceSlot slot = new ServiceSlot(TEST, jdk, GuardedServer.HTTPSERVER_APP, mode, dir, b -> {
            b.mainClass("dev.hostguard.it.app.HttpServerApp", BuiltArtifacts.testClasses(), BuiltArtifacts.demoJar(),
                    jnaJar()).env("BOOT_NATIVE", lib.resolve("libprefs.so").toString());
            return jdk.feature() >= 22 ? b.jvmArgs("--enable-native-access=ALL-UNNAMED") : b;
        });
        SLOTS.add(slot);
        String at = slot.label();
        String outcome = slot.blocking() ? "the agent's 403, it did not happen, event blocked"
                : "it runs, event logged";
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "start with BOOT_NATIVE=lib/libprefs.so: loaded outside any request, no event",
                () -> {
                    slot.start();
                    GuardedService service = slot.require();
                    assertTrue(service.process().anyLine(l -> l.contains("httpserver-app boot native load done: loaded")),
                            "the boot load ran");
                    assertTrue(maps(service).contains("libprefs.so"), "libprefs.so is mapped");
                    assertEquals(List.of(), service.events().events(), "no event for work outside requests");
                }));
        tests.add(dynamicTest(at + "the user's JNA call (JNA initialised in a user's request): mkdir ran, no event",
                () -> userCall(slot.require(), "jna-mkdir", true)));
        for (Credentials credentials : GUARDED) {
            String as = " as " + credentials.authClass() + " -> " + outcome;
            tests.add(dynamicTest(at + "System.load(<jdk>/lib/librmi.so)" + as,
                    () -> load(slot.require(), credentials, "jni-load", "path", lib.resolve("librmi.so").toString(),
                            "jni", lib.resolve("librmi.so").toRealPath().toString())));
            tests.add(dynamicTest(at + "Runtime.getRuntime().loadLibrary(\"j2gss\")" + as,
                    () -> load(slot.require(), credentials, "jni-load-library", "name", "j2gss", "jni",
                            lib.resolve("libj2gss.so").toRealPath().toString())));
            tests.add(dynamicTest(at + "JNA NativeLibrary.getInstance(\"c\"), then libc's mkdir(marker)" + as,
                    () -> nativeMkdir(slot.require(), credentials, "jna-mkdir", List.of(loadOf("jna", "c")))));
            tests.add(dynamicTest(at + "FFM SymbolLookup.libraryLookup(\"libc.so.6\"), then a downcall to mkdir(marker)"
                    + as + " (JDK 22+)", () -> nativeMkdir(requireFfm(slot), credentials, "ffm-library-mkdir",
                    slot.blocking() ? List.of(loadOf("ffm-library-lookup", "libc.so.6"))
                            : List.of(loadOf("ffm-library-lookup", "libc.so.6"), downcall()))));
            tests.add(dynamicTest(at + "FFM default lookup, a downcall to mkdir(marker)" + as + " (JDK 22+)",
                    () -> nativeMkdir(requireFfm(slot), credentials, "ffm-mkdir", List.of(downcall()))));
            tests.add(dynamicTest(at + "/proc/self/environ opened for writing (FileOutputStream)" + as,
                    () -> write(slot.require(), credentials, "file-output-stream", "/proc/self/environ",
                            "/proc/" + slot.require().pid() + "/environ")));
            tests.add(dynamicTest(at + "/proc/self/mountinfo opened for writing (Files.writeString)" + as,
                    () -> write(slot.require(), credentials, "files-write", "/proc/self/mountinfo",
                            "/proc/" + slot.require().pid() + "/mountinfo")));
            tests.add(dynamicTest(at + "a file created under /sys (FileOutputStream)" + as,
                    () -> write(slot.require(), credentials, "file-output-stream", "/sys/fs/hostguard-it-probe",
                            "/sys/fs/hostguard-it-probe")));
        }
        tests.add(dynamicTest(at + (slot.blocking() ? "neither refused library is mapped in the server"
                        : "both libraries are mapped in the server") + " (/proc/<pid>/maps)",
                () -> {
                    String maps = maps(slot.require());
                    assertEquals(!slot.blocking(), maps.contains("/librmi.so"), "librmi.so mapped");
                    assertEquals(!slot.blocking(), maps.contains("/libj2gss.so"), "libj2gss.so mapped");
                }));
        tests.add(dynamicTest(at + "the user's System.load, FFM mkdir and /proc/self/environ write run, no event; "
                + "librmi.so is mapped after", () -> {
                    GuardedService service = slot.require();
                    userCall(service, "jni-load", false);
                    assertTrue(maps(service).contains("/librmi.so"), "the user's load happened");
                    if (jdk.feature() >= 22) {
                        userCall(service, "ffm-library-mkdir", true);
                    }
                    int before = service.events().count();
                    service.withCredentials(HttpTestClient.get(service.process().baseUri(),
                            GuardedServer.HTTPSERVER_APP.fileRoute(Credentials.USER_LOGIN)).query("api", "file-output-stream")
                            .query("path", "/proc/self/environ").query("answer", "self"), Credentials.USER_LOGIN).send();
                    assertNothingSince(service, before, "the user's /proc/self/environ write");
                }));
        tests.add(dynamicTest(at + "stop the server: no agent WARN/ERROR, no leaked key", slot::stop));
        return dynamicContainer("mode=" + mode, tests);
    }

    // ---- the calls ----

    /** A library load by a guarded request: the library is never mapped by it in block mode (checked at the end). */
    private static void load(GuardedService service, Credentials credentials, String api, String param, String value,
                             String nativeApi, String library) throws IOException {
        int before = service.events().count();
        HttpTestClient.Response response = exec(service, credentials, api).query(param, value).send();
        judged(service, credentials, before, response, List.of(loadOf(nativeApi, library)), "native-code");
        if (!service.blocking()) {
            assertEquals(200, response.status(), () -> "expected 200, got " + response);
            assertTrue(response.body().startsWith("loaded "), response::toString);
        }
    }

    /** A native mkdir by a guarded request: the marker directory proves whether the native call happened. */
    private static void nativeMkdir(GuardedService service, Credentials credentials, String api,
                                    List<Predicate<JsonNode>> expected) throws IOException {
        Path marker = service.marker(api + "-" + credentials.authClass());
        int before = service.events().count();
        HttpTestClient.Response response = exec(service, credentials, api).query("path", marker.toString()).send();
        judged(service, credentials, before, response, expected, "native-code");
        if (service.blocking()) {
            assertFalse(Files.exists(marker), "refused, yet the native mkdir ran: " + marker);
        } else {
            assertEquals(200, response.status(), () -> "expected 200, got " + response);
            assertEquals("mkdir=0", response.body(), "libc's mkdir");
            assertTrue(Files.isDirectory(marker), "the native mkdir ran: " + marker);
        }
    }

    /** A write under /proc or /sys by a guarded request. */
    private static void write(GuardedService service, Credentials credentials, String api, String path,
                              String canonical) throws IOException {
        int before = service.events().count();
        HttpTestClient.Get get = service.file(credentials, api, path);
        if (!service.blocking()) {
            get.query("answer", "self"); // the OS refuses the write itself (EINVAL, EACCES): a 500, answered
        }
        HttpTestClient.Response response = get.send();
        judged(service, credentials, before, response, List.of(e -> "file-open".equals(action(e))
                && canonical.equals(e.path("file").path("path").asText())
                && "write".equals(e.path("hostguard").path("access").asText())), "proc-sys-write");
        if (!service.blocking()) {
            assertTrue(response.status() == 200 || response.status() == 500, () -> "got " + response);
            assertFalse(response.body().contains("blocked by HostGuard"), response::toString);
        }
    }

    /** A user's request: runs, no event; {@code mkdir}: the marker directory is there. */
    private static void userCall(GuardedService service, String api, boolean mkdir) throws IOException {
        int before = service.events().count();
        HttpTestClient.Get get = exec(service, Credentials.USER_LOGIN, api);
        Path marker = mkdir ? service.marker(api + "-user") : null;
        if (mkdir) {
            get.query("path", marker.toString());
        }
        HttpTestClient.Response response = get.send();
        assertEquals(200, response.status(), () -> "the user's " + api + ": " + response);
        if (mkdir) {
            assertEquals("mkdir=0", response.body());
            assertTrue(Files.isDirectory(marker), "the user's native mkdir ran");
        }
        assertNothingSince(service, before, "the user's " + api);
    }

    /**
     * Every event since {@code before} is one of {@code expected} (each at least once), with the finding's rule, the
     * request's auth and route, the key's fingerprint; in block mode the 403 names the first one.
     */
    private static void judged(GuardedService service, Credentials credentials, int before,
                               HttpTestClient.Response response, List<Predicate<JsonNode>> expected, String rule) {
        String route = GuardedServer.HTTPSERVER_APP.route(credentials);
        List<Predicate<JsonNode>> identified = new ArrayList<>();
        for (Predicate<JsonNode> shape : expected) {
            identified.add(shape.and(e -> rule.equals(e.path("hostguard").path("rule").asText())));
        }
        List<JsonNode> events = service.events().awaitAllSince(before, "the " + rule + " events",
                seen -> identified.stream().allMatch(p -> seen.stream().anyMatch(p)), EventLog.DEFAULT_WAIT);
        GuardAssertions.assertOnlyEvents(service.events(), before, identified);
        for (JsonNode event : events) {
            List<String> problems = new ArrayList<>();
            RequestEventFields.checkEnvelope(problems, event);
            RequestEventFields.check(problems, "hostguard.decision", service.blocking() ? "blocked" : "logged",
                    event.path("hostguard").path("decision"));
            RequestEventFields.check(problems, "hostguard.mode", service.mode(), event.path("hostguard").path("mode"));
            RequestEventFields.check(problems, "hostguard.auth", credentials.authClass(),
                    event.path("hostguard").path("auth"));
            RequestEventFields.check(problems, "hostguard.context", "request", event.path("hostguard").path("context"));
            RequestEventFields.check(problems, "url.path", route.replace("/exec", rule.equals("proc-sys-write")
                    ? "/file" : "/exec"), event.path("url").path("path"));
            if (credentials == Credentials.API_KEY) {
                RequestEventFields.check(problems, "api_key.fingerprint", service.secrets().apiKeyFingerprint(),
                        event.path("api_key").path("fingerprint"));
            } else if (event.has("api_key")) {
                problems.add("an anonymous request's event has an api_key: " + event.path("api_key"));
            }
            if (!event.path("hostguard").path("frames").path(0).asText().startsWith("dev.hostguard.demo.")) {
                problems.add("hostguard.frames[0] is not the demo's code: " + event.path("hostguard").path("frames"));
            }
            assertTrue(problems.isEmpty(), () -> String.join("; ", problems) + " in " + event);
        }
        if (service.blocking()) {
            String eventId = ProcessStartEvent.assertBlockResponse(response, rule);
            assertEquals(events.get(0).path("event").path("id").asText(), eventId, "403 event_id vs the event's");
        }
        service.process().assertNoUnexpectedAgentProblems();
    }

    private static Predicate<JsonNode> loadOf(String nativeApi, String library) {
        return e -> "native-load".equals(action(e)) && nativeApi.equals(e.path("hostguard").path("native_api").asText())
                && library.equals(e.path("dll").path("path").asText());
    }

    private static Predicate<JsonNode> downcall() {
        return e -> "native-downcall".equals(action(e))
                && "ffm-downcall".equals(e.path("hostguard").path("native_api").asText())
                && DOWNCALL_MKDIR.matcher(e.path("hostguard").path("native_function").asText()).matches();
    }

    private static String action(JsonNode event) {
        return event.path("event").path("action").asText();
    }

    private static void assertNothingSince(GuardedService service, int before, String what) {
        Path marker = service.marker("after-" + what.replace(' ', '-'));
        service.events().assertNothingLoggedSince(before, "for " + what,
                () -> service.exec(Credentials.NONE, "process-builder", "touch " + marker).send(),
                EventLog.hasProcessArg(marker.toString()));
    }

    private static HttpTestClient.Get exec(GuardedService service, Credentials credentials, String api) {
        return service.withCredentials(HttpTestClient.get(service.process().baseUri(),
                GuardedServer.HTTPSERVER_APP.route(credentials)).query("api", api), credentials);
    }

    /** FFM is final from JDK 22: on older JDKs the FFM cases are skipped, saying so. */
    private static GuardedService requireFfm(ServiceSlot slot) {
        Assumptions.assumeTrue(slot.jdk().feature() >= 22,
                "the FFM API (java.lang.foreign) is final from JDK 22; this is " + slot.jdk().version());
        return slot.require();
    }

    /** The server's memory map: which shared objects it has loaded. */
    private static String maps(GuardedService service) throws IOException {
        return Files.readString(Path.of("/proc", Long.toString(service.pid()), "maps"));
    }

    private static Path jnaJar() {
        try {
            return Path.of(Class.forName("com.sun.jna.NativeLibrary", false, NativeCodeIT.class.getClassLoader())
                    .getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (ClassNotFoundException | URISyntaxException e) {
            throw new IllegalStateException("JNA is not on the test class path", e);
        }
    }
}
