package dev.hostguard.agent.cli;

import static dev.hostguard.agent.cli.TestEvents.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line's contract: --help everywhere, --version, exit codes, one-line errors. */
class HostGuardCliTest {
    private static final List<String> COMMANDS = List.of("learn", "report", "attach");

    @Test
    void everyCommandHasHelpWithTheExitCodes() {
        for (String command : COMMANDS) {
            TestEvents.Run run = cli(command, "--help");
            assertEquals(0, run.exit(), command + " --help: " + run.err());
            assertTrue(run.out().contains("Usage: java -jar hostguard-agent.jar " + command), run.out());
            assertTrue(run.out().contains("Exit codes:") && run.out().contains("2   bad command line"), run.out());
        }
        TestEvents.Run top = cli("--help");
        assertEquals(0, top.exit());
        for (String command : COMMANDS) {
            assertTrue(top.out().contains("\n  " + command + " "), "top-level help lists " + command + ":\n" + top.out());
        }
    }

    @Test
    void versionNamesHostGuardAndJava() {
        TestEvents.Run run = cli("--version");
        assertEquals(0, run.exit());
        assertTrue(run.out().startsWith("HostGuard ") && run.out().contains(" on Java "), run.out());
        assertEquals(run.out(), cli("learn", "--version").out());
    }

    @Test
    void usageErrorsExitTwoWithOneLine() {
        for (String[] args : List.of(new String[] {}, new String[] {"lern"}, new String[] {"learn"},
                new String[] {"report", "--htm", "x"}, new String[] {"attach"}, new String[] {"attach", "--list", "12"},
                new String[] {"attach", "not-a-pid"}, new String[] {"attach", "1", "mdoe=block"},
                new String[] {"attach", "1", "events=relative.jsonl"})) {
            TestEvents.Run run = cli(args);
            assertEquals(2, run.exit(), String.join(" ", args) + ": " + run.err());
            List<String> errorLines = run.err().lines().filter(l -> l.startsWith("hostguard")).toList();
            assertEquals(1, errorLines.size(), String.join(" ", args) + ":\n" + run.err());
        }
    }

    @Test
    void attachNamesTheBadOptionAsTheAgentWould() {
        TestEvents.Run run = cli("attach", "1", "mode=blok");
        assertEquals("hostguard attach: bad value for option 'mode' (agent argument mode=blok); expected audit, block"
                + " or off (see java -jar hostguard-agent.jar attach --help)", run.err().strip());
        TestEvents.Run relative = cli("attach", "1", "mode=block,events=events.jsonl");
        assertTrue(relative.err().contains("give an absolute path"), relative.err());
    }

    @Test
    void aMissingFileFailsWithExitOneAndOneLine() {
        for (String command : List.of("learn", "report")) {
            TestEvents.Run run = cli(command, "/nonexistent/events.jsonl");
            assertEquals(1, run.exit());
            assertEquals("hostguard " + command + ": no such file: /nonexistent/events.jsonl", run.err().strip());
        }
    }

    @Test
    void attachToNoJvmFailsWithExitOne() {
        TestEvents.Run run = cli("attach", "2147483646", "mode=block");
        assertEquals(1, run.exit(), run.err());
        assertTrue(run.err().startsWith("hostguard attach: cannot attach to JVM 2147483646"), run.err());
    }
}
