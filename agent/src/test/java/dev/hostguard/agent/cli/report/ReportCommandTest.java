package dev.hostguard.agent.cli.report;

import static dev.hostguard.agent.cli.TestEvents.cli;
import static dev.hostguard.agent.cli.TestEvents.fileOpen;
import static dev.hostguard.agent.cli.TestEvents.process;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.cli.TestEvents;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportCommandTest {
    /** In a path and as a fingerprint: an attacker chooses the path, and an events file can be edited. */
    static final String SCRIPT_PATH = "/admin/files/<script>document.title='pwned'</script>";
    static final String IMG_KEY = "<img src=x onerror=\"document.title='pwned2'\">";

    @TempDir
    Path dir;

    /**
     * Three buckets of 10 s with findings over two minutes (so 13 buckets): 10:00:00 two blocked and one logged,
     * 10:00:30 three logged, 10:02:00 one blocked; one allowed decision; one other event.
     */
    static Path events(Path dir) {
        return TestEvents.write(dir.resolve("events.jsonl"),
                process("blocked", "2026-11-29T10:00:01Z", "sh", "-c", "id").route("GET", "/admin/exec").key("aaaaaaaaaaaa").json(),
                process("blocked", "2026-11-29T10:00:02Z", "sh", "-c", "id").route("GET", "/admin/exec").key("aaaaaaaaaaaa").json(),
                fileOpen("logged", "credentials", "2026-11-29T10:00:09Z", "/etc/shadow").route("GET", SCRIPT_PATH).key(IMG_KEY).json(),
                fileOpen("logged", "credentials", "2026-11-29T10:00:31Z", "/etc/shadow").route("GET", SCRIPT_PATH).key(IMG_KEY).json(),
                fileOpen("logged", "proc-environ", "2026-11-29T10:00:32Z", "/proc/1/environ").route("GET", "/admin/file").json(),
                fileOpen("logged", "credentials", "2026-11-29T10:00:39Z", "/etc/shadow").json(),
                process("allowed", "2026-11-29T10:01:00Z", "tar", "-czf", "/b.tgz").route("POST", "/admin/backup").key("aaaaaaaaaaaa").json(),
                process("blocked", "2026-11-29T10:02:00Z", "curl", "evil").route("GET", "/admin/exec").key("bbbbbbbbbbbb").json(),
                "{\"event\":{\"action\":\"policy-reloaded\"}}",
                "[hostguard] active");
    }

    @Test
    void textSummaryCountsPerRuleRouteKeyAndTime() {
        TestEvents.Run run = cli("report", events(dir).toString());
        assertEquals(0, run.exit(), run.err());
        String out = run.out();
        assertTrue(out.startsWith("HostGuard report: 8 decisions: 3 blocked, 4 logged, 1 allowed; 2026-11-29T10:00:01Z"
                + " to 2026-11-29T10:02:00Z; 1 other events not counted\n"), out);
        assertTrue(out.contains("\nBy rule        blocked   logged  allowed\n"
                + "process-start        3        0        1\n"
                + "credentials          0        3        0\n"
                + "proc-environ         0        1        0\n"), out);
        assertTrue(out.contains("GET /admin/exec  ") && out.matches("(?s).*GET /admin/exec +3 +0 +0\n.*"), out);
        assertTrue(out.matches("(?s).*\\(outside any request\\) +0 +1 +0\n.*"), out);
        assertTrue(out.matches("(?s).*aaaaaaaaaaaa +2 +0 +1\n.*"), out);
        assertTrue(out.matches("(?s).*\\(no API key\\) +0 +2 +0\n.*"), out);
        assertTrue(out.contains("Over time (UTC, per 10 s)"), out);
        assertTrue(out.matches("(?s).*\n2026-11-29 10:00:00 +2 +1 +0  ####################\\+{10}\n.*"), out);
        assertTrue(out.matches("(?s).*\n2026-11-29 10:01:00 +0 +0 +1  \n.*"), out);
        assertTrue(out.matches("(?s).*\n2026-11-29 10:02:00 +1 +0 +0  ##########\n.*"), out);
        assertEquals(4, out.lines().filter(l -> l.startsWith("2026-11-29 ")).count(), "the buckets with events");
    }

    @Test
    void findingsAreGroupedPerKeyByRuleAndRoute() throws Exception {
        Path events = TestEvents.write(dir.resolve("keys.jsonl"),
                process("allowed", "2026-11-29T10:00:01Z", "tar").route("POST", "/admin/backup").key("aaaaaaaaaaaa", "backup-job").json(),
                process("allowed", "2026-11-29T10:00:02Z", "tar").route("POST", "/admin/backup").key("aaaaaaaaaaaa").json(),
                process("blocked", "2026-11-29T10:00:03Z", "tar").route("POST", "/admin/backup").key("bbbbbbbbbbbb").json(),
                process("blocked", "2026-11-29T10:00:04Z", "sh").route("GET", "/admin/exec").key("bbbbbbbbbbbb").json(),
                fileOpen("logged", "credentials", "2026-11-29T10:00:05Z", "/etc/shadow").route("GET", "/admin/file").key("bbbbbbbbbbbb").json(),
                fileOpen("logged", "credentials", "2026-11-29T10:00:06Z", "/etc/shadow").route("GET", "/public/file").json());
        String out = cli("report", events.toString()).out();
        assertTrue(out.matches("(?s).*\naaaaaaaaaaaa \\(backup-job\\) +0 +0 +2\n.*"), "named where an event names it:\n" + out);
        int b = out.indexOf("\nAPI key bbbbbbbbbbbb: by rule and route ");
        int a = out.indexOf("\nAPI key aaaaaaaaaaaa (backup-job): by rule and route ");
        assertTrue(b > 0 && a > b, "each key's own table, the one with most findings first:\n" + out);
        assertTrue(out.substring(b, a).matches("(?s).*\nprocess-start on GET /admin/exec +1 +0 +0\n"
                + "process-start on POST /admin/backup +1 +0 +0\n.*"), out);
        assertTrue(out.substring(b, a).matches("(?s).*\ncredentials on GET /admin/file +0 +1 +0\n.*"), out);
        assertTrue(out.substring(a).matches("(?s)[^\n]*\n[^\n]*\nprocess-start on POST /admin/backup +0 +0 +2\n.*"), out);
        assertFalse(out.contains("on GET /public/file"), "requests without a key have no key table:\n" + out);

        Path html = dir.resolve("keys.html");
        assertEquals(0, cli("report", "--html", html.toString(), events.toString()).exit());
        String page = Files.readString(html, StandardCharsets.UTF_8);
        assertTrue(page.contains("<h3>API key aaaaaaaaaaaa (backup-job)</h3>"), page);
        assertTrue(page.contains("<table id=\"key-bbbbbbbbbbbb\">"), page);
        assertTrue(page.contains("<td class=\"name\">process-start on POST /admin/backup</td><td class=\"n\">0</td>"
                + "<td class=\"n\">0</td><td class=\"n\">2</td>"), page);
    }

    @Test
    void principalsHostGuardCannotAttributeGetTheirOwnTableAndAdvice() {
        assertFalse(cli("report", events(dir).toString()).out().contains("cannot attribute"), "none: no table");
        Path events = TestEvents.write(dir.resolve("principals.jsonl"),
                process("blocked", "2026-11-29T10:00:01Z", "sh").route("GET", "/key/exec")
                        .principal("com.example.ApiKeyAuthentication").json(),
                process("logged", "2026-11-29T10:00:02Z", "sh").route("GET", "/key/exec")
                        .principal("com.example.ApiKeyAuthentication").json(),
                process("logged", "2026-11-29T10:00:03Z", "sh").route("GET", "/exec").json());
        String out = cli("report", events.toString()).out();
        assertTrue(out.matches("(?s).*\nBy principal HostGuard cannot attribute +blocked +logged +allowed\n"
                + "com\\.example\\.ApiKeyAuthentication +1 +1 +0\nRequests with these principals.*"), out);
        assertTrue(out.contains("credentials.person-principals"), out);
    }

    @Test
    void htmlIsOneOfflineFileWithEverythingEscaped() throws Exception {
        Path html = dir.resolve("report.html");
        TestEvents.Run run = cli("report", events(dir).toString(), "--html", html.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().endsWith("HTML report: " + html.toAbsolutePath() + "\n"), run.out());
        String page = Files.readString(html, StandardCharsets.UTF_8);
        assertFalse(page.contains("<script"), "no script, and none injected");
        assertFalse(page.contains("<img"), "no markup from events");
        assertFalse(page.matches("(?s).*(src|href)=\"?(https?:|//).*"), "nothing fetched from elsewhere");
        assertTrue(page.contains("/admin/files/&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"), page);
        assertTrue(page.contains("&lt;img src=x onerror=&quot;document.title=&#39;pwned2&#39;&quot;&gt;"), page);
        assertTrue(page.contains("default-src 'none'"), "a CSP forbids scripts even if escaping failed");
        assertEquals(2, count(page, "<rect class=\"bar blocked\""));
        assertEquals(2, count(page, "<rect class=\"bar logged\""));
    }

    @Test
    void bucketsWidenWithTheSpan() {
        Instant t = Instant.parse("2026-11-29T10:00:00Z");
        assertEquals(Duration.ofSeconds(1), TimeBuckets.widthFor(t, t.plusSeconds(59)));
        assertEquals(Duration.ofSeconds(10), TimeBuckets.widthFor(t, t.plusSeconds(60)));
        assertEquals(Duration.ofMinutes(1), TimeBuckets.widthFor(t, t.plusSeconds(59 * 60)));
        assertEquals(Duration.ofMinutes(5), TimeBuckets.widthFor(t, t.plusSeconds(60 * 60)));
        assertEquals(Duration.ofMinutes(15), TimeBuckets.widthFor(t, t.plus(Duration.ofHours(12))));
        assertEquals(Duration.ofHours(1), TimeBuckets.widthFor(t, t.plus(Duration.ofHours(24))));
        assertEquals(Duration.ofDays(1), TimeBuckets.widthFor(t, t.plus(Duration.ofDays(30))));
        assertEquals("10 s", TimeBuckets.label(Duration.ofSeconds(10)));
        assertEquals("15 min", TimeBuckets.label(Duration.ofMinutes(15)));
        assertEquals("6 h", TimeBuckets.label(Duration.ofHours(6)));
        assertEquals("1 d", TimeBuckets.label(Duration.ofDays(1)));
    }

    @Test
    void noEventsIsAnEmptyReportNotAnError() {
        Path empty = TestEvents.write(dir.resolve("empty.jsonl"), "[hostguard] active");
        TestEvents.Run run = cli("report", empty.toString(), "--html", dir.resolve("r.html").toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().startsWith("HostGuard report: 0 decisions"), run.out());
    }

    static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    static List<String> lines(String s) {
        return s.lines().toList();
    }
}
