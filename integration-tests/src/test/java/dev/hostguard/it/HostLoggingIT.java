package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent ships its own (relocated) logging; the demo has logback with its own {@code logback.xml}. Neither may
 * disturb the other: the demo's {@code DEMO-LOG} lines are the same with and without the agent, no SLF4J warning
 * appears, and the agent's own lines keep their {@code [hostguard]} prefix.
 */
class HostLoggingIT {
    private static final String TEST = HostLoggingIT.class.getSimpleName();
    private static final Pattern SLF4J_WARNING = Pattern.compile("SLF4J\\(W\\)|SLF4J:");
    private static final Pattern DIGITS = Pattern.compile("\\d+");

    @TempDir
    static Path tmp;

    @TestFactory
    Stream<DynamicNode> demoLoggingWithAndWithoutAgent() {
        return Jdks.all().stream().map(this::forJdk);
    }

    @SuppressWarnings("unchecked")
    private DynamicContainer forJdk(Jdks.Jdk jdk) {
        List<String>[] withoutAgent = new List[1];
        List<String>[] withAgent = new List[1];
        String at = "[" + jdk.label() + "] ";
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "demo without the agent: same requests", () ->
                withoutAgent[0] = runDemo(jdk, false, tmp.resolve(jdk.label() + "-plain"))));
        tests.add(dynamicTest(at + "demo with the agent (audit): same requests", () ->
                withAgent[0] = runDemo(jdk, true, tmp.resolve(jdk.label() + "-agent"))));
        tests.add(dynamicTest(at + "DEMO-LOG lines are present and identical with and without the agent", () -> {
            List<String> plain = demoLogLines(required(withoutAgent[0]));
            List<String> guarded = demoLogLines(required(withAgent[0]));
            assertTrue(plain.stream().anyMatch(l -> l.startsWith("DEMO-LOG INFO ") && l.contains(" - handled GET ")),
                    "no DEMO-LOG request lines without the agent: " + plain);
            assertEquals(plain, guarded, "DEMO-LOG lines (sorted, digits masked) differ with the agent");
        }));
        tests.add(dynamicTest(at + "no SLF4J warnings with the agent", () -> {
            List<String> warnings = required(withAgent[0]).stream().filter(l -> SLF4J_WARNING.matcher(l).find()).toList();
            assertTrue(warnings.isEmpty(), "SLF4J warnings with the agent:\n  " + String.join("\n  ", warnings));
        }));
        tests.add(dynamicTest(at + "every line the agent adds starts with [hostguard]", () -> {
            Set<String> plain = new HashSet<>();
            required(withoutAgent[0]).forEach(l -> plain.add(mask(l)));
            List<String> added = required(withAgent[0]).stream().filter(l -> !plain.contains(mask(l))).toList();
            assertTrue(added.stream().anyMatch(l -> l.startsWith("[hostguard] active")),
                    "no '[hostguard] active' line at the start of a line; added lines:\n  " + String.join("\n  ", added));
            List<String> foreign = added.stream().filter(l -> !l.startsWith("[hostguard]")).toList();
            assertTrue(foreign.isEmpty(), "lines added by the agent without the [hostguard] prefix (reformatted by "
                    + "the demo's logback.xml?):\n  " + String.join("\n  ", foreign));
        }));
        return dynamicContainer("JDK " + jdk.version(), tests);
    }

    private static List<String> required(List<String> lines) {
        if (lines == null) {
            Assumptions.abort("the demo run this compares did not complete");
        }
        return lines;
    }

    /** Runs the demo, sends the same requests, waits for their request-log lines, stops it; returns all lines. */
    private static List<String> runDemo(Jdks.Jdk jdk, boolean agent, Path dir) throws Exception {
        Files.createDirectories(dir);
        Secrets secrets = Secrets.fresh();
        ServiceProcess.Builder command = GuardedServer.DEMO.command(TEST, jdk, secrets)
                .label(TEST + " demo " + (agent ? "with" : "without") + " agent on " + jdk.label())
                .workingDirectory(dir);
        if (agent) {
            command.agent(BuiltArtifacts.agentJar(), "mode=audit,events=" + dir.resolve("events.jsonl"))
                    .requireLine(GuardedService.AGENT_ACTIVE);
        }
        ServiceProcess demo = command.start();
        try (demo) {
            Path marker = dir.resolve("admin-marker");
            assertEquals(200, HttpTestClient.get(demo.baseUri(), "/health").send().status());
            ProcessStartEvent.assertRan(HttpTestClient.get(demo.baseUri(), "/admin/exec")
                    .query("cmd", "touch " + marker).query("api", "process-builder").apiKey(secrets.apiKey()).send());
            assertTrue(Files.exists(marker));
            assertEquals(401, HttpTestClient.get(demo.baseUri(), "/admin/exec").query("cmd", "true").send().status());
            ProcessStartEvent.assertRan(HttpTestClient.get(demo.baseUri(), "/ops/exec").query("cmd", "true")
                    .basic(secrets.opsUser(), secrets.opsPassword()).send());
            // the request log line is written once the response is complete: wait for the last one
            for (String expected : List.of("handled GET /health -> 200", "handled GET /admin/exec -> 200",
                    "handled GET /admin/exec -> 401", "handled GET /ops/exec -> 200")) {
                assertNotNull(demo.awaitLine(Pattern.compile("^DEMO-LOG \\S+ \\S+ - " + Pattern.quote(expected) + "$"),
                        Duration.ofSeconds(15)), "no request log line '" + expected + "'; log " + demo.logFile());
            }
        }
        assertFalse(demo.logText().contains(secrets.apiKey()), "the raw API key is in the server log");
        return demo.lines().stream().map(ServiceProcess.Line::text).toList();
    }

    private static List<String> demoLogLines(List<String> lines) {
        return lines.stream().filter(l -> l.startsWith("DEMO-LOG")).map(HostLoggingIT::mask).sorted().toList();
    }

    private static String mask(String line) {
        return DIGITS.matcher(line).replaceAll("#");
    }
}
