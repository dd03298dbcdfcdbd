package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * A typo in the agent's options must never leave a service running unguarded: the JVM exits non-zero before it
 * serves, with one {@code hostguard:} line on stderr naming the bad key or value. {@code mode=off} runs the
 * service with nothing blocked and nothing logged.
 */
class BadOptionIT {
    private static final String TEST = BadOptionIT.class.getSimpleName();
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path tmp;

    /** One misconfiguration: how it is given, and the words the error line must contain (as the operator typed them). */
    private record BadOption(String name, String agentOptions, UnaryOperator<ServiceProcess.Builder> extra,
                             List<String> mustName) {
    }

    @TestFactory
    Stream<DynamicNode> badOptions() {
        return Jdks.all().stream().map(this::forJdk);
    }

    private DynamicContainer forJdk(Jdks.Jdk jdk) {
        Path dir = tmp.resolve(jdk.label());
        String events = "events=" + dir.resolve("events.jsonl");
        List<BadOption> bad = List.of(
                new BadOption("unknown key in the agent argument: mdoe=block", "mdoe=block," + events,
                        UnaryOperator.identity(), List.of("mdoe")),
                new BadOption("bad value in the agent argument: mode=blok", "mode=blok," + events,
                        UnaryOperator.identity(), List.of("mode", "blok")),
                new BadOption("bad value in a system property: -Dhostguard.mode=nope", events,
                        b -> b.jvmArgs("-Dhostguard.mode=nope"), List.of("hostguard.mode", "nope")),
                new BadOption("bad value in the environment: HOSTGUARD_MODE=nope", events,
                        b -> b.env("HOSTGUARD_MODE", "nope"), List.of("HOSTGUARD_MODE", "nope")));
        List<DynamicNode> tests = new ArrayList<>();
        for (BadOption option : bad) {
            tests.add(dynamicTest("[" + jdk.label() + "] " + option.name() + " -> exit before serving, one 'hostguard:' line",
                    () -> refusesToStart(jdk, dir, option)));
        }
        tests.add(dynamicTest("[" + jdk.label() + "] mode=off -> serves; nothing blocked, nothing logged", () -> modeOff(jdk, dir)));
        return dynamicContainer("JDK " + jdk.version(), tests);
    }

    private static void refusesToStart(Jdks.Jdk jdk, Path dir, BadOption option) throws IOException {
        Files.createDirectories(dir);
        Secrets secrets = Secrets.fresh();
        ServiceProcess.Builder command = GuardedServer.DEMO.command(TEST, jdk, secrets)
                .label(TEST + " " + option.name() + " on " + jdk.label())
                .agent(BuiltArtifacts.agentJar(), option.agentOptions())
                .workingDirectory(dir);
        try (ServiceProcess jvm = option.extra().apply(command).launch()) {
            ServiceProcess.Exit exit = jvm.awaitExit(EXIT_TIMEOUT);
            String output = "\nstdout:\n  " + String.join("\n  ", exit.stdout())
                    + "\nstderr:\n  " + String.join("\n  ", exit.stderr());

            assertNotEquals(0, exit.code(), "the JVM must exit non-zero" + output);
            assertTrue(exit.stdout().stream().noneMatch(l -> ServiceProcess.LISTENING.matcher(l).find()),
                    "the demo served although the agent options are bad" + output);
            assertTrue(exit.stdout().stream().noneMatch(l -> l.startsWith("DEMO-LOG")),
                    "the demo's main ran although the agent options are bad" + output);

            List<String> errorLines = exit.stderr().stream().filter(l -> l.startsWith("hostguard:")).toList();
            assertEquals(1, errorLines.size(), "exactly one 'hostguard:' line on stderr" + output);
            String line = errorLines.get(0);
            for (String word : option.mustName()) {
                assertTrue(line.toLowerCase(Locale.ROOT).contains(word.toLowerCase(Locale.ROOT)),
                        "the error line should name '" + word + "': " + line);
            }
            List<String> otherStderr = exit.stderr().stream().filter(l -> !l.isBlank() && !l.equals(line)).toList();
            assertTrue(otherStderr.isEmpty(), "stderr should hold only the one clear line; also got:\n  "
                    + String.join("\n  ", otherStderr));
        }
    }

    private static void modeOff(Jdks.Jdk jdk, Path dir) throws IOException {
        Path offDir = dir.resolve("off");
        Files.createDirectories(offDir);
        Path events = offDir.resolve("events.jsonl");
        Secrets secrets = Secrets.fresh();
        Path keyMarker = offDir.resolve("with-key");
        Path openMarker = offDir.resolve("no-credentials");
        ServiceProcess service = GuardedServer.DEMO.command(TEST, jdk, secrets)
                .label(TEST + " mode=off on " + jdk.label())
                .agent(BuiltArtifacts.agentJar(), "mode=off,events=" + events)
                .workingDirectory(offDir)
                .start();
        try (service) {
            HttpTestClient.Response withKey = HttpTestClient.get(service.baseUri(), "/admin/exec")
                    .query("cmd", "touch " + keyMarker).query("api", "process-builder")
                    .apiKey(secrets.apiKey()).send();
            ProcessStartEvent.assertRan(withKey);
            assertTrue(Files.exists(keyMarker), "mode=off must not block: " + keyMarker);
            HttpTestClient.Response open = HttpTestClient.get(service.baseUri(), "/public/exec")
                    .query("cmd", "touch " + openMarker).query("api", "exec-string").send();
            ProcessStartEvent.assertRan(open);
            assertTrue(Files.exists(openMarker), "mode=off must not block: " + openMarker);
        }
        // the JVM has ended: whatever it would ever write is in the file now
        String written = Files.exists(events) ? Files.readString(events) : "";
        assertTrue(written.isBlank(), "mode=off must log nothing, events file has:\n" + written);
        assertFalse(service.logText().contains(secrets.apiKey()), "the raw API key is in the server log");
    }
}
