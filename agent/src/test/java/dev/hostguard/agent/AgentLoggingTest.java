package dev.hostguard.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.config.EventTarget;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's two line loggers: the diagnostic line format and the event sinks. */
class AgentLoggingTest {
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private PrintStream original;

    @TempDir
    Path dir;

    @BeforeEach
    void captureStandardError() {
        original = System.err;
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStandardError() {
        System.setErr(original);
    }

    private List<String> stderrLines() {
        return stderr.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void diagnosticsArePrefixedAndNameTheLevelUnlessInfo() {
        AgentLogging logging = new AgentLogging(EventTarget.STDERR);
        logging.diagnostics(AgentLoggingTest.class).info("active: mode={}", "audit");
        logging.diagnostics(AgentLoggingTest.class).warn("hook {} failed", "file-read", new IllegalStateException("x"));
        logging.diagnostics(AgentLoggingTest.class).debug("never shown");
        List<String> lines = stderrLines();
        assertEquals("[hostguard] active: mode=audit", lines.get(0));
        assertEquals("[hostguard] WARN hook file-read failed", lines.get(1));
        assertEquals("java.lang.IllegalStateException: x", lines.get(2), "the throwable's trace follows");
        assertTrue(lines.stream().noneMatch(l -> l.contains("never shown")));
    }

    @Test
    void eventsAreAppendedToTheFileOneLineEach() throws Exception {
        Path events = dir.resolve("sub/events.jsonl");
        Files.createDirectories(events.getParent());
        Files.writeString(events, "{\"earlier\":1}\n");
        AgentLogging logging = new AgentLogging(EventTarget.file(events));
        logging.events().info("{\"path\":\"/é\"}");
        logging.events().info("{\"second\":2}");
        assertEquals(List.of("{\"earlier\":1}", "{\"path\":\"/é\"}", "{\"second\":2}"),
                Files.readAllLines(events, StandardCharsets.UTF_8));
        assertEquals(List.of(), stderrLines());
    }

    @Test
    void anEventFileThatCannotBeOpenedSendsEventsToStandardError() {
        AgentLogging logging = new AgentLogging(EventTarget.file(dir)); // a directory
        logging.events().info("{\"event\":1}");
        List<String> lines = stderrLines();
        assertTrue(lines.get(0).startsWith("[hostguard] ERROR cannot open the event file " + dir), lines.get(0));
        assertEquals("{\"event\":1}", lines.get(1));
    }
}
