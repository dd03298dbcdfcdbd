package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's start-up, and judging an allowed operation in a guarded request, link no {@code invokedynamic} of the
 * agent's own: the first lambda, record {@code equals}/{@code hashCode} or string concatenation run bootstraps
 * {@code java.lang.invoke} and spins classes, tens of milliseconds and hundreds of classes of the start-up budget
 * (ARCHITECTURE.md "Start-up"). The JVM's {@code TRACE_METHOD_LINKAGE} prints every call site it links. Nor do they
 * load the JDK's process machinery ({@code ProcessHandleImpl}: its reaper executor and some 15 classes) into a
 * service that starts no process: the class-load log ({@code -Xlog:class+load}) names every class loaded.
 */
class StartupLinkageIT {
    private static final String TEST = StartupLinkageIT.class.getSimpleName();
    private static final String TRACE = "-Djava.lang.invoke.MethodHandle.TRACE_METHOD_LINKAGE=true";
    private static final String LINKED = "linkCallSite ";
    private static final String CLASS_LOAD = "-Xlog:class+load=info:stdout";

    @TempDir
    static Path tmp;

    @TestFactory
    Stream<DynamicTest> startUpLinksNoInvokedynamicOfTheAgent() {
        return Jdks.all().stream().map(jdk -> dynamicTest(
                "[" + jdk.label() + "] start-up and an allowed read in an API-key request: no call site of the agent linked",
                () -> linksNothingOfOurs(jdk)));
    }

    private static void linksNothingOfOurs(Jdks.Jdk jdk) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(jdk.label()));
        Path allowed = Files.writeString(dir.resolve("allowed.txt"), "an ordinary file\n");
        Secrets secrets = Secrets.fresh();
        try (ServiceProcess service = GuardedServer.HTTPSERVER_APP.command(TEST, jdk, secrets)
                .agent(BuiltArtifacts.agentJar(), "mode=block,events=" + dir.resolve("events.jsonl"))
                .jvmArgs(TRACE, CLASS_LOAD)
                .requireLine(GuardedService.AGENT_ACTIVE)
                .start()) {
            HttpTestClient.Response read = HttpTestClient.get(service.baseUri(),
                            GuardedServer.HTTPSERVER_APP.fileRoute(Credentials.API_KEY))
                    .query("api", "file-input-stream").query("path", allowed.toString())
                    .apiKey(secrets.apiKey()).send();
            assertEquals(200, read.status(), "the allowed read: " + read);
            assertTrue(read.body().contains("an ordinary file"), "the file's bytes come back: " + read);
            // the app's own handlers are lambdas: the trace is on (a JDK that ignored it would prove nothing)
            assertNotNull(service.awaitLine(Pattern.compile(LINKED + "dev\\.hostguard\\.it\\."),
                    Duration.ofSeconds(30)), "no call site of the app itself linked: is the trace on?\n" + service.tail());

            List<String> ours = service.lines(ServiceProcess.Stream.STDOUT).stream()
                    .filter(l -> l.startsWith(LINKED + "dev.hostguard.agent.")).toList();
            assertTrue(ours.isEmpty(), "call sites of the agent linked:\n  " + String.join("\n  ", ours));
            assertTrue(service.lines(ServiceProcess.Stream.STDOUT).stream()
                            .anyMatch(l -> l.contains(" dev.hostguard.agent.OpenDescriptors ")),
                    "the class-load log is on and the read was judged on its descriptor");
            List<String> processMachinery = service.lines(ServiceProcess.Stream.STDOUT).stream()
                    .filter(l -> l.contains(" java.lang.ProcessHandleImpl ")).toList();
            assertTrue(processMachinery.isEmpty(), "process machinery loaded:\n  " + String.join("\n  ", processMachinery));
            Path events = dir.resolve("events.jsonl");
            assertFalse(Files.exists(events) && Files.readString(events).contains("\"file-open\""),
                    "the allowed read was judged as a finding");
        }
    }
}
