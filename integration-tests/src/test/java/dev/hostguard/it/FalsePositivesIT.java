package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import dev.hostguard.demo.dockerstandin.DockerStandIn;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What an API-key request of an ordinary service does to files all day must pass untouched, even in BLOCK mode:
 * 200 and no event (proved with {@link EventLog#assertNothingLoggedSince}: a later request that does log, and
 * nothing else before its event).
 * <ul>
 *   <li>the demo's {@code metrics} action ({@code /admin/metrics} on the demo, {@code /admin/exec?api=metrics} on
 *       the httpserver app): {@code com.sun.management.OperatingSystemMXBean} total memory, CPU load and free swap,
 *       a class loaded from the demo's jar for the first time, a new class loader opening the JDK's
 *       {@code lib/jrt-fs.jar}, and a line through the demo's logback. In the httpserver app this is the JVM's
 *       first use of the MXBean, so the JDK's container support ({@code jdk.internal.platform}) reads
 *       {@code /proc/cgroups}, {@code /proc/self/mountinfo} (a {@code recon} path) and {@code /proc/self/cgroup}
 *       from Java code inside the request (checked with {@code -Xlog:class+load}: its
 *       {@code CgroupSubsystemFactory} is loaded by that request, not before), and slf4j/logback start up inside
 *       it too. Jetty already creates the MXBean at start-up (its {@code MemoryUtils}), so in the demo the request
 *       reads only the cgroup files; then a second time</li>
 *   <li>every read shape on {@code /etc/hostname} and on a file in the working directory (by relative path),
 *       every write shape on a file in the working directory, every listing shape on a directory in it</li>
 *   <li>{@code unix-connect} to a socket that is not a container runtime's ({@code app.sock})</li>
 * </ul>
 * Both servers, on every JDK, one JVM each.
 */
class FalsePositivesIT {
    private static final String TEST = FalsePositivesIT.class.getSimpleName();

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ServiceSlots SLOTS = new ServiceSlots();

    /** The JDK class whose loading means: the container metrics were just set up (mountinfo read). */
    private static final String CONTAINER_METRICS_SETUP = "jdk.internal.platform.CgroupSubsystemFactory ";

    @TestFactory
    Stream<DynamicNode> ordinaryWorkInApiKeyRequests() {
        return Jdks.all().stream().map(jdk -> dynamicContainer("JDK " + jdk.version(),
                GuardedServer.WITH_EVERY_ROUTE.stream().map(server -> forService(jdk, server))));
    }


    private DynamicContainer forService(Jdks.Jdk jdk, GuardedServer server) {
        Path dir = tmp.resolve(jdk.label() + "-" + server.id());
        Path classLoadLog = dir.resolve("class-load.log");
        ServiceSlot slot = new ServiceSlot(TEST, jdk, server, "block", dir,
                b -> b.jvmArgs("-Xlog:class+load=info:file=" + classLoadLog));
        SLOTS.add(slot);
        String at = slot.label();
        boolean demo = server == GuardedServer.DEMO;
        String metrics = demo ? "/admin/metrics" : "/admin/exec?api=metrics";
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "start " + server.id() + " with -javaagent mode=block", slot::start));
        tests.add(dynamicTest(at + metrics + " with the API key: OperatingSystemMXBean memory/CPU/swap ("
                + (demo ? "Jetty created the MXBean at start-up" : "first use in the JVM: the JDK reads /proc/self/mountinfo")
                + "), a first class load, a new jar opened, a logback line -> 200, no event",
                () -> metrics(slot, classLoadLog, true)));
        tests.add(dynamicTest(at + metrics + " again -> 200, no event", () -> metrics(slot, classLoadLog, false)));
        for (String shape : FileShapes.READS) {
            tests.add(dynamicTest(at + "read " + shape + " /etc/hostname with the API key -> 200, read, no event",
                    () -> readEtcHostname(slot.require(), shape)));
            tests.add(dynamicTest(at + "read " + shape + " a file in the working directory (relative) with the API key "
                    + "-> 200, read, no event", () -> readWorkingDirectoryFile(slot.require(), shape)));
        }
        for (String shape : FileShapes.WRITES) {
            tests.add(dynamicTest(at + "write " + shape + " a file in the working directory (relative) with the API key "
                    + "-> 200, written, no event", () -> writeWorkingDirectoryFile(slot.require(), shape)));
        }
        for (String shape : FileShapes.LISTS) {
            tests.add(dynamicTest(at + "list " + shape + " a directory in the working directory (relative) with the "
                    + "API key -> 200, listed, no event", () -> listWorkingDirectory(slot.require(), shape)));
        }
        tests.add(dynamicTest(at + "unix-connect to app.sock (no container runtime's socket) with the API key -> 200, "
                + "connected, no event", () -> connectOrdinarySocket(slot.require(), dir)));
        tests.add(dynamicTest(at + "stop: no agent WARN/ERROR; the API key is in neither the events nor the log", slot::stop));
        return dynamicContainer(server.displayName(), tests.stream());
    }

    private static void metrics(ServiceSlot slot, Path classLoadLog, boolean first) throws Exception {
        GuardedService service = slot.require();
        boolean demo = service.server() == GuardedServer.DEMO;
        if (first && !demo) {
            assertFalse(Files.readString(classLoadLog).contains(CONTAINER_METRICS_SETUP),
                    "the JDK's container metrics were set up before the request; the test proves less than it says");
        }
        int before = service.events().count();
        HttpTestClient.Get get = demo ? HttpTestClient.get(service.process().baseUri(), "/admin/metrics")
                : HttpTestClient.get(service.process().baseUri(), "/admin/exec").query("api", "metrics");
        HttpTestClient.Response response = get.apiKey(service.secrets().apiKey()).send();
        assertEquals(200, response.status(), () -> "expected 200, got " + response);
        assertTrue(response.body().contains("total_memory=") && response.body().contains("cpu_load=")
                && response.body().contains("free_swap="), () -> "no metrics in " + response.body());
        assertTrue(response.body().contains("loaded_class=org.eclipse.jetty.util.Scanner"), response.body());
        assertTrue(response.body().matches("(?s).*jar_resource_bytes=[1-9]\\d*.*"),
                () -> "the manifest of lib/jrt-fs.jar was not read: " + response.body());
        if (first) {
            assertNotNull(service.process().awaitLine(Pattern.compile("^DEMO-LOG INFO Metrics - metrics served: "),
                    Duration.ofSeconds(15)), "the demo's logback line for the metrics action is missing");
            assertTrue(Files.readString(classLoadLog).contains(CONTAINER_METRICS_SETUP),
                    "the JDK's container metrics were never set up (" + CONTAINER_METRICS_SETUP.trim() + " not loaded)");
        }
        assertNoEventSince(service, before, "for /admin/metrics");
    }

    private static void readEtcHostname(GuardedService service, String shape) throws Exception {
        Path hostname = Path.of("/etc/hostname");
        Assumptions.assumeTrue(Files.isReadable(hostname), "no readable /etc/hostname on this machine");
        String content = Files.readString(hostname, StandardCharsets.UTF_8);
        assertAnswers(service, shape, hostname.toString(), null, asRead(shape, content));
    }

    private static void readWorkingDirectoryFile(GuardedService service, String shape) throws Exception {
        String name = "notes-" + shape + ".txt";
        String content = "ordinary notes for " + shape + "\n";
        Files.writeString(service.workingDirectory().resolve(name), content, StandardCharsets.UTF_8);
        assertAnswers(service, shape, name, null, asRead(shape, content));
    }

    private static void writeWorkingDirectoryFile(GuardedService service, String shape) throws Exception {
        String name = "out-" + shape + ".txt";
        String data = "ordinary output of " + shape;
        assertAnswers(service, shape, name, data, "written " + data.length());
        assertEquals(data, Files.readString(service.workingDirectory().resolve(name), StandardCharsets.UTF_8));
    }

    private static void listWorkingDirectory(GuardedService service, String shape) throws Exception {
        String name = "listing-" + shape;
        Path dir = Files.createDirectories(service.workingDirectory().resolve(name));
        Files.writeString(dir.resolve("a.txt"), "a");
        Files.writeString(dir.resolve("b.txt"), "b");
        assertAnswers(service, shape, name, null, "a.txt\nb.txt");
    }

    private static void connectOrdinarySocket(GuardedService service, Path dir) throws Exception {
        try (DockerStandIn app = DockerStandIn.start(dir.resolve("app-sock").resolve("app.sock"),
                dir.resolve("app-sock.jsonl"))) {
            assertAnswers(service, "unix-connect", app.socket().toString(), null, "status=200\nOK");
            assertEquals(1, app.recordedLines().size(), "the connect should have reached the socket");
        }
    }

    /** What a read shape answers for a file holding {@code content}: files-lines joins the lines with newlines. */
    private static String asRead(String shape, String content) {
        return shape.equals("files-lines") ? String.join("\n", content.lines().toList()) : content;
    }

    /** {@code /admin/file?api=<shape>&path=<path>[&data=]} answers 200 with exactly {@code expected}; no event. */
    private static void assertAnswers(GuardedService service, String shape, String path, String data, String expected) {
        int before = service.events().count();
        HttpTestClient.Get request = service.file(Credentials.API_KEY, shape, path);
        if (data != null) {
            request.query("data", data);
        }
        HttpTestClient.Response response = request.send();
        assertEquals(200, response.status(), () -> "expected 200, got " + response);
        assertEquals(expected, response.body(), "the answer");
        assertNoEventSince(service, before, "for " + shape + " " + path);
        GuardAssertions.assertKeyNotLeaked(service);
        service.process().assertNoUnexpectedAgentProblems();
    }

    private static void assertNoEventSince(GuardedService service, int before, String what) {
        Path marker = service.marker("follow-up-" + service.events().count() + "-" + System.nanoTime());
        service.events().assertNothingLoggedSince(before, what,
                () -> service.exec(Credentials.NONE, "process-builder", "touch " + marker).send(),
                EventLog.hasProcessArg(marker.toString()));
    }
}
