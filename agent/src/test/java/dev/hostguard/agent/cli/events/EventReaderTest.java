package dev.hostguard.agent.cli.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.cli.TestEvents;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsEventsSkipsDiagnosticsAndWarnsOnBrokenLinesByFileAndLine() throws Exception {
        Path file = TestEvents.write(dir.resolve("events.jsonl"),
                "[hostguard] active: mode=audit events=stdout",
                TestEvents.process("logged", "2026-11-29T01:00:00Z", "tar", "-czf", "/b.tgz").route("POST", "/backup").json(),
                "",
                "{\"@timestamp\":\"2026-11-29T01:00:01Z\",\"event\":{\"action\":\"process-st",
                "DEMO-LOG INFO started",
                "{\"a\":1} trailing",
                "[1,2]",
                TestEvents.fileOpen("blocked", "credentials", "2026-11-29T01:00:02Z", "/etc/shadow").json());
        StringWriter warnings = new StringWriter();
        EventReader reader = new EventReader(new PrintWriter(warnings, true));
        List<HostEvent> events = reader.read(List.of(file));

        assertEquals(2, events.size());
        assertEquals(List.of("tar", "-czf", "/b.tgz"), events.get(0).list("process.args"));
        assertEquals("POST /backup", events.get(0).route());
        assertEquals(file + ":2", events.get(0).source());
        assertEquals("/etc/shadow", events.get(1).text("file.path"));
        assertEquals(2, reader.skipped());
        List<String> lines = warnings.toString().lines().toList();
        assertEquals(2, lines.size(), warnings.toString());
        assertTrue(lines.get(0).startsWith("hostguard: skipped " + file + ":4: not a JSON event"), lines.get(0));
        assertTrue(lines.get(1).startsWith("hostguard: skipped " + file + ":6: not a JSON event"), lines.get(1));
    }

    @Test
    void bytesThatAreNotUtf8AreNeverFatal() throws Exception {
        Path file = dir.resolve("binary.jsonl");
        byte[] event = TestEvents.process("logged", "2026-11-29T01:00:00Z", "x").json().getBytes();
        Files.write(file, concat(new byte[] {'{', (byte) 0xff, (byte) 0xfe, '\n'}, event, new byte[] {'\n'}));
        StringWriter warnings = new StringWriter();
        List<HostEvent> events = new EventReader(new PrintWriter(warnings, true)).read(List.of(file));
        assertEquals(1, events.size());
        assertTrue(warnings.toString().contains(":1: not a JSON event"), warnings.toString());
    }

    @Test
    void onlyDecisionsOnHostOperationsAreOperations() throws Exception {
        HostEvent reload = new HostEvent(EventReader.flatten("{\"event\":{\"action\":\"policy-reloaded\"}}"), "x:1");
        assertFalse(reload.isOperation());
        HostEvent start = new HostEvent(EventReader.flatten(TestEvents.process("allowed", "bad time", "x").json()), "x:2");
        assertTrue(start.isOperation());
        assertNull(start.timestamp());
    }

    @Test
    void terminalTextShowsControlCharactersInsteadOfSendingThem() {
        assertEquals("/tmp/\\u001b[2Jx\\u000d", TerminalText.safe("/tmp/\u001b[2Jx\r"));
        assertEquals("plain", TerminalText.safe("plain"));
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
