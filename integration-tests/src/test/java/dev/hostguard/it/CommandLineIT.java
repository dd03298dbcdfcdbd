package dev.hostguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar hostguard-agent.jar ...} as shipped: picocli relocated inside the shaded jar still reads its
 * annotations (commands, options, help, version), the exit codes hold, and running the jar starts neither the
 * guard nor its logging (no {@code [hostguard]} line, nothing from logback).
 */
class CommandLineIT {
    private static final String TEST = CommandLineIT.class.getSimpleName();

    @TempDir
    Path tmp;

    @Test
    void theShadedJarRunsTheCommandLineAndNotTheAgent() throws Exception {
        Jdks.Jdk jdk = Jdks.all().get(0);
        ServiceProcess.Exit help = AgentCli.run(TEST, jdk, "--help");
        assertEquals(0, help.code(), AgentCli.text(help.stderr()));
        for (String command : List.of("check", "learn", "report", "attach")) {
            assertTrue(help.stdout().stream().anyMatch(l -> l.startsWith("  " + command + " ")), AgentCli.text(help.stdout()));
        }
        ServiceProcess.Exit version = AgentCli.run(TEST, jdk, "report", "--version");
        assertEquals(0, version.code());
        assertTrue(AgentCli.text(version.stdout()).matches("HostGuard \\S+ on Java .*"), AgentCli.text(version.stdout()));

        Path events = Files.writeString(tmp.resolve("events.jsonl"), "[hostguard] active: mode=audit\n"
                + "{\"@timestamp\":\"2026-11-29T10:00:00Z\",\"event\":{\"action\":\"process-start\"},"
                + "\"hostguard\":{\"decision\":\"logged\",\"rule\":\"process-start\",\"auth\":\"api-key\"},"
                + "\"process\":{\"executable\":\"tar\",\"args\":[\"tar\",\"-czf\",\"/b.tgz\"]},"
                + "\"url\":{\"path\":\"/backup\"},\"http\":{\"request\":{\"method\":\"POST\"}}}\n{\"broken\n");
        ServiceProcess.Exit learned = AgentCli.run(TEST, jdk, "learn", events.toString());
        assertEquals(0, learned.code());
        String policy = AgentCli.text(learned.stdout());
        assertTrue(policy.contains("  - operation: process-start\n    executable: \"tar\"\n    args: [\"-czf\", \"/b.tgz\"]\n"
                + "    route: \"POST /backup\"\n"), policy);
        assertEquals(1, learned.stderr().size(), AgentCli.text(learned.stderr()));
        assertTrue(learned.stderr().get(0).startsWith("hostguard: skipped " + events + ":3: not a JSON event ("),
                learned.stderr().get(0));

        ServiceProcess.Exit usage = AgentCli.run(TEST, jdk, "report");
        assertEquals(2, usage.code());
        ServiceProcess.Exit missing = AgentCli.run(TEST, jdk, "report", tmp.resolve("none.jsonl").toString());
        assertEquals(1, missing.code());
        assertEquals(List.of("hostguard report: no such file: " + tmp.resolve("none.jsonl")), missing.stderr());

        assertNoAgentStarted(help, version, learned, usage, missing);
    }

    /**
     * {@code check} as the operator runs it before deploying a policy: the policy parser (snakeyaml-engine, relocated)
     * works from the shaded jar; a valid file exits 0 with its summary, one with typos exits 1 naming each place and
     * the key or value it probably meant, a command line without a file exits 2.
     */
    @Test
    void checkValidatesAPolicyFileOffline() throws Exception {
        Jdks.Jdk jdk = Jdks.all().get(0);
        Path example = Path.of("../examples/policy.yaml").toAbsolutePath().normalize();
        ServiceProcess.Exit valid = AgentCli.run(TEST, jdk, "check", example.toString());
        assertEquals(0, valid.code(), AgentCli.text(valid.stderr()));
        assertEquals(List.of(), valid.stderr());
        String summary = AgentCli.text(valid.stdout());
        assertTrue(valid.stdout().get(0).matches("valid policy " + Pattern.quote(example.toString())
                + " \\(sha256 [0-9a-f]{64}\\)"), summary);
        assertTrue(summary.contains("\nallow entries: 6\n  1. process-start /usr/bin/pg_dump"), summary);

        Path typo = Files.writeString(tmp.resolve("policy.yaml"), """
                version: 1
                mode: blok
                allow:
                  - operation: process-start
                    executable: tar
                    rout: "POST /backup"
                    reason: the backup
                """);
        ServiceProcess.Exit invalid = AgentCli.run(TEST, jdk, "check", typo.toString());
        assertEquals(1, invalid.code(), AgentCli.text(invalid.stdout()));
        assertEquals(List.of(), invalid.stdout());
        assertEquals(List.of("hostguard check: invalid policy file " + typo + " (2 problems)",
                "  " + typo + ":2:7: bad value 'blok' for mode; expected audit, block, off; did you mean 'block'?",
                "  " + typo + ":6:5: unknown key 'rout' in an allow entry; did you mean 'route'? (expected one of:"
                        + " operation, executable, args, path, access, endpoint, route, auth, key, caller, reason, command,"
                        + " diagnostic, signal)"),
                invalid.stderr());

        ServiceProcess.Exit usage = AgentCli.run(TEST, jdk, "check");
        assertEquals(2, usage.code());
        assertEquals(List.of("hostguard check: Missing required parameter: 'POLICY' (see java -jar hostguard-agent.jar"
                + " check --help)"), usage.stderr());

        ServiceProcess.Exit help = AgentCli.run(TEST, jdk, "check", "--help");
        assertEquals(0, help.code());
        assertTrue(help.stdout().stream().anyMatch(l -> l.startsWith("  1   the policy is invalid or cannot be read")),
                "check's own exit codes: " + AgentCli.text(help.stdout()));
        assertNoAgentStarted(valid, invalid, usage, help);
    }

    private static void assertNoAgentStarted(ServiceProcess.Exit... runs) {
        for (ServiceProcess.Exit run : runs) {
            List<String> all = new java.util.ArrayList<>(run.stdout());
            all.addAll(run.stderr());
            assertTrue(all.stream().noneMatch(l -> l.startsWith("[hostguard]") || l.contains("logback")),
                    "the command line started the agent or its logging:\n" + String.join("\n", all));
        }
    }
}
