package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar hostguard-agent.jar attach <pid> mode=block,...} guards a service that was started without the
 * agent, on every JDK: before, an API-key request runs its command (marker created); after, the same request is
 * refused (marker absent, a blocked event in the file the options named, the agent's 403), because the classes the
 * service had loaded (its servlets, {@code ProcessImpl}) are retransformed. {@code attach --list} shows the JVM
 * without, then with, HostGuard; a second attach is refused with one line and changes nothing.
 *
 * <p>Java 21 and later print a warning on the service's standard error when an agent is loaded into a running JVM
 * without {@code -XX:+EnableDynamicAgentLoading}; the CLI says so. Asserted per JDK, as observed.
 */
class AttachIT {
    private static final String TEST = AttachIT.class.getSimpleName();
    private static final Pattern DYNAMIC_AGENT_WARNING = Pattern.compile("WARNING: A Java agent has been loaded dynamically");

    @TempDir
    static Path tmp;

    @TestFactory
    Stream<DynamicTest> attachToARunningService() {
        return Jdks.all().stream().map(jdk -> dynamicTest("[" + jdk.label() + "] started without the agent; attach"
                + " mode=block -> the same request is refused; a second attach is refused", () -> attach(jdk)));
    }

    private static void attach(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(jdk.label()));
        Path events = dir.resolve("events.jsonl");
        Secrets secrets = Secrets.fresh();
        try (ServiceProcess service = GuardedServer.DEMO.command(TEST, jdk, secrets).workingDirectory(dir).start()) {
            String pid = String.valueOf(service.handle().pid());
            Path before = dir.resolve("ran-before-attach");
            HttpTestClient.Response ran = exec(service, secrets, before).send();
            assertEquals(200, ran.status(), ran.toString());
            assertTrue(Files.exists(before), "without the agent the command runs: " + before);

            ServiceProcess.Exit listed = AgentCli.run(TEST, jdk, "attach", "--list");
            assertEquals(0, listed.code(), AgentCli.text(listed.stderr()));
            assertTrue(listed.stdout().stream().anyMatch(l -> l.matches(pid + " +\\S+ +no +.*hostguard-demo\\.jar.*")),
                    "attach --list shows the demo without HostGuard:\n" + AgentCli.text(listed.stdout()));

            ServiceProcess.Exit attached = AgentCli.run(TEST, jdk, "attach", pid, "mode=block,events=" + events);
            assertEquals(0, attached.code(), AgentCli.text(attached.stderr()));
            assertEquals("HostGuard attached to JVM " + pid + " (Java " + jdk.version() + "): mode=block, options"
                    + " mode=block,events=" + events, AgentCli.text(attached.stdout()));
            assertNotNull(service.awaitLine(GuardedService.AGENT_ACTIVE, Duration.ofSeconds(60)), service.tail());
            boolean warns = jdk.feature() >= 21;
            assertEquals(warns, service.awaitLine(DYNAMIC_AGENT_WARNING, Duration.ZERO) != null,
                    "the JVM's warning about a dynamically loaded agent (Java 21+):\n" + service.tail());
            assertEquals(warns, AgentCli.text(attached.stderr()).contains("-XX:+EnableDynamicAgentLoading"),
                    "the CLI's note about that warning:\n" + AgentCli.text(attached.stderr()));

            Path after = dir.resolve("ran-after-attach");
            HttpTestClient.Response refused = exec(service, secrets, after).send();
            EventLog log = new EventLog(events);
            JsonNode event = log.await("for " + after, EventLog.hasProcessArg(after.toString()));
            assertFalse(Files.exists(after), "attached in block mode, yet the command ran: " + after);
            assertEquals("blocked", event.path("hostguard").path("decision").asText(), event.toString());
            assertEquals("api-key", event.path("hostguard").path("auth").asText(), event.toString());
            assertEquals(secrets.apiKeyFingerprint(), event.path("api_key").path("fingerprint").asText());
            assertEquals(403, refused.status(), refused.toString());
            assertEquals(event.path("event").path("id").asText(), refused.json().path("event_id").asText());

            ServiceProcess.Exit again = AgentCli.run(TEST, jdk, "attach", pid, "mode=audit");
            assertEquals(1, again.code(), AgentCli.text(again.stdout()));
            assertEquals("hostguard attach: HostGuard is already active in JVM " + pid + " (mode=block); nothing"
                    + " attached. Restart the JVM to change its options.", AgentCli.text(again.stderr()));
            ServiceProcess.Exit listedAfter = AgentCli.run(TEST, jdk, "attach", "--list");
            assertTrue(listedAfter.stdout().stream().anyMatch(l -> l.matches(pid + " +\\S+ +block +.*")),
                    AgentCli.text(listedAfter.stdout()));

            Path stillBlocked = dir.resolve("ran-after-second-attach");
            assertEquals(403, exec(service, secrets, stillBlocked).send().status());
            assertFalse(Files.exists(stillBlocked), "still blocked after the refused second attach");
            assertEquals(1, service.lines().stream().filter(l -> GuardedService.AGENT_ACTIVE.matcher(l.text()).find()).count(),
                    "the guard started once:\n" + service.tail());
            assertFalse(service.logText().contains(secrets.apiKey()), "the raw API key is in the server log");
        }
    }

    /** Two {@code -javaagent} flags (a JAVA_TOOL_OPTIONS and a command line, say): the first wins, the second says so. */
    @Test
    void aSecondJavaagentChangesNothing() throws Exception {
        Jdks.Jdk jdk = Jdks.all().get(0);
        Path dir = Files.createDirectories(tmp.resolve("twice"));
        Path events = dir.resolve("events.jsonl");
        Secrets secrets = Secrets.fresh();
        try (ServiceProcess service = GuardedServer.DEMO.command(TEST, jdk, secrets).workingDirectory(dir)
                .agent(BuiltArtifacts.agentJar(), "mode=block,events=" + events)
                .jvmArgs("-javaagent:" + BuiltArtifacts.agentJar() + "=mode=audit,events=" + dir.resolve("second.jsonl"))
                .requireLine(GuardedService.AGENT_ACTIVE)
                .requireLine(Pattern.compile("^\\[hostguard\\] already active in this JVM \\(mode=block\\); this"
                        + " -javaagent changes nothing$"))
                .start()) {
            Path marker = dir.resolve("ran");
            HttpTestClient.Response refused = exec(service, secrets, marker).send();
            new EventLog(events).await("for " + marker, EventLog.hasProcessArg(marker.toString()));
            assertFalse(Files.exists(marker), "the first agent (block) decides: " + marker);
            assertEquals(403, refused.status(), refused.toString());
            assertEquals(1, service.lines().stream().filter(l -> GuardedService.AGENT_ACTIVE.matcher(l.text()).find()).count());
            assertFalse(Files.exists(dir.resolve("second.jsonl")), "the second agent does not even open its events file");
        }
    }

    private static HttpTestClient.Get exec(ServiceProcess service, Secrets secrets, Path marker) {
        return HttpTestClient.get(service.baseUri(), "/admin/exec").query("cmd", "touch " + marker)
                .query("api", "process-builder").apiKey(secrets.apiKey());
    }
}
