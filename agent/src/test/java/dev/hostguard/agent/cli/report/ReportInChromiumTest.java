package dev.hostguard.agent.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.cli.TestEvents;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report as a real browser shows it: Debian's headless Chromium loads the file (offline, no network)
 * and we read back the DOM it built, and a screenshot. Skipped, with the reason, only where Chromium is not
 * installed ({@code apt-get install -y chromium}; CI installs it).
 */
class ReportInChromiumTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @TempDir
    static Path dir;
    private static Path html;

    @BeforeAll
    static void writeReport() {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM),
                "SKIPPED: " + CHROMIUM + " is not installed (apt-get install -y chromium); .ci/run installs it");
        html = dir.resolve("report.html");
        TestEvents.Run run = TestEvents.cli("report", ReportCommandTest.events(dir).toString(), "--html", html.toString());
        assertEquals(0, run.exit(), run.err());
    }

    @Test
    void theRenderedPageShowsTheCountsAndBarsAndRanNoInjectedScript() throws Exception {
        String dom = chromium("--dump-dom", "file://" + html);

        // an injected script would have run and changed the title; and it must be text in the table, not an element
        assertTrue(dom.contains("<title>HostGuard report</title>"), dom);
        assertFalse(dom.contains("pwned</title>") || dom.contains("<title>pwned"), dom);
        assertFalse(dom.contains("<script"), "a script element in the DOM:\n" + dom);
        assertFalse(dom.contains("<img"), "an img element in the DOM:\n" + dom);
        assertTrue(dom.contains("<td class=\"name\">GET /admin/files/&lt;script&gt;document.title='pwned'&lt;/script&gt;</td>"),
                "the path shows as text in the route table:\n" + dom);

        assertEquals(List.of("process-start 3 0 1", "credentials 0 3 0", "proc-environ 0 1 0"), rows(dom, "by-rule"));
        assertTrue(rows(dom, "by-route").contains("GET /admin/exec 3 0 0"), rows(dom, "by-route").toString());
        assertTrue(rows(dom, "by-key").contains("(no API key) 0 2 0"), rows(dom, "by-key").toString());
        assertEquals(List.of("2026-11-29 10:00:00 2 1 0", "2026-11-29 10:00:30 0 3 0", "2026-11-29 10:01:00 0 0 1",
                "2026-11-29 10:02:00 1 0 0"), rows(dom, "over-time"));
        assertTrue(dom.contains("<b class=\"blocked\" id=\"total-blocked\">3</b>"), dom);

        assertEquals(2, ReportCommandTest.count(dom, "<rect class=\"bar blocked\""), "one blocked bar per bucket with blocks");
        assertEquals(2, ReportCommandTest.count(dom, "<rect class=\"bar logged\""), "one logged bar per bucket with logs");
        Matcher tallest = Pattern.compile("<rect class=\"bar blocked\" data-count=\"2\" x=\"[0-9.]+\" y=\"([0-9.]+)\""
                + " width=\"[0-9.]+\" height=\"([0-9.]+)\"").matcher(dom);
        assertTrue(tallest.find(), dom);
        assertEquals(136.0, Double.parseDouble(tallest.group(2)), 0.1, "2 of 3 findings: two thirds of the 204 px plot");
    }

    @Test
    void theScreenshotShowsBlockedAndLoggedBars() throws Exception {
        Path png = dir.resolve("report.png");
        chromium("--screenshot=" + png, "--window-size=1000,900", "file://" + html);
        BufferedImage shot = ImageIO.read(png.toFile());
        // the bars' fill colours (HtmlReport's CSS); the legend's two small squares are text, far fewer pixels
        int blocked = pixels(shot, 0xc62828);
        int logged = pixels(shot, 0xf9a825);
        assertTrue(blocked > 2_000, "blocked bars on screen: " + blocked + " pixels of #c62828 in " + png);
        assertTrue(logged > 2_000, "logged bars on screen: " + logged + " pixels of #f9a825 in " + png);
    }

    private static int pixels(BufferedImage image, int rgb) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == rgb) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Runs headless Chromium with nothing that talks to the network, and returns its standard output. */
    private static String chromium(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + Files.createTempDirectory(dir, "profile")));
        command.addAll(List.of(args));
        Path stdout = Files.createTempFile(dir, "chromium", ".out");
        Path stderr = Files.createTempFile(dir, "chromium", ".err");
        Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        try {
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                throw new AssertionError("chromium did not finish in 90 s: " + Files.readString(stderr));
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        assertEquals(0, p.exitValue(), "chromium failed: " + Files.readString(stderr));
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    /** The rows of one table as the browser rendered them, cells joined by spaces, tags dropped. */
    private static List<String> rows(String dom, String tableId) {
        int start = dom.indexOf("<table id=\"" + tableId + "\"");
        assertTrue(start >= 0, "no table " + tableId);
        String table = dom.substring(start, dom.indexOf("</table>", start));
        String body = table.substring(table.indexOf("<tbody>"));
        List<String> rows = new ArrayList<>();
        for (String row : body.split("<tr>")) {
            String text = row.replaceAll("<[^>]+>", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
                    .trim().replaceAll("\\s+", " ");
            if (!text.isEmpty()) {
                rows.add(text);
            }
        }
        return rows;
    }
}
