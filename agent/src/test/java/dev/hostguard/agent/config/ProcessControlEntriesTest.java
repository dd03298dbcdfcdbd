package dev.hostguard.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.policy.Policy;
import org.junit.jupiter.api.Test;

/** The parser's side of {@code jvm-diagnostic} and {@code process-signal} allow entries: keys, values, errors. */
class ProcessControlEntriesTest {
    @Test
    void theSummaryNamesWhatTheEntriesAllow() throws Exception {
        Policy policy = PolicyParser.parse("""
                allow:
                  - {operation: jvm-diagnostic, command: threadPrint, diagnostic: diagnostic-command, reason: r}
                  - {operation: process-signal, signal: [SIGTERM, SIGKILL], route: /stop, reason: r}
                  - {operation: process-signal, reason: r}
                """, "p.yaml");
        assertEquals("jvm-diagnostic threadPrint [diagnostic-command] on any route",
                PolicySummary.describe(policy.allow().get(0)));
        assertEquals("process-signal [SIGTERM|SIGKILL] on * /stop", PolicySummary.describe(policy.allow().get(1)));
        assertEquals("process-signal (any signal) on any route", PolicySummary.describe(policy.allow().get(2)));
    }

    @Test
    void mistakesAreNamedWithTheirLine() {
        String message = assertThrows(InvalidPolicyException.class, () -> PolicyParser.parse("""
                allow:
                  - operation: jvm-diagnostic
                    reason: no command
                  - operation: jvm-diagnostic
                    command: gcClassHistogram
                    diagnostic: heap-dumps
                    reason: r
                  - operation: process-signal
                    signal: [SIGHUP]
                    reason: r
                  - operation: process-signal
                    path: /proc/1
                    reason: r
                  - operation: file-open
                    path: /a
                    signal: [SIGTERM]
                    command: x
                    reason: r
                """, "p.yaml")).getMessage();
        assertTrue(message.contains("p.yaml:2:") && message.contains("a jvm-diagnostic entry needs a 'command'"),
                message);
        assertTrue(message.contains("p.yaml:6:") && message.contains("unknown diagnostic 'heap-dumps'")
                && message.contains("did you mean 'heap-dump'"), message);
        assertTrue(message.contains("p.yaml:9:") && message.contains("unknown signal 'SIGHUP'"), message);
        assertTrue(message.contains("p.yaml:12:") && message.contains("'path' does not apply to process-signal"
                + " (it takes signal)"), message);
        assertTrue(message.contains("p.yaml:16:") && message.contains("'signal' does not apply to file-open"), message);
        assertTrue(message.contains("p.yaml:17:") && message.contains("'command' does not apply to file-open"), message);
    }
}
