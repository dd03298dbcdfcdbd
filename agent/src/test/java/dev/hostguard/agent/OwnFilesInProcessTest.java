package dev.hostguard.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostguard.agent.bootstrap.HostGuardBlockedException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * HostGuard's own files and other processes' command lines, with the real agent attached to this JVM: the events
 * file (directly, through a symlink, its rotations; java.io and NIO) and the policy file cannot be written by an
 * API-key or anonymous request, in block and in audit mode alike, and the events file keeps every event; a policy
 * rewrite a guarded request was let do (here by an allow entry) is refused at the reload with a
 * {@code policy-tampered} event while the old policy stays; {@code ProcessHandle.info()} of this and of another
 * process is judged as the {@code proc-cmdline} rule (refused: an empty {@code Info}); a user's request and work
 * outside requests are untouched. One JVM per mode: {@link Block} and {@link Audit}.
 */
abstract class OwnFilesInProcessTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The policy the agent starts with: an allow entry lets API-key requests write {@code allowed-by-entry.yaml}. */
    private static final String POLICY = """
            allow:
              - operation: file-open
                path: "%s"
                access: [write]
                auth: [api-key]
                caller: dev.hostguard.agent.OwnFilesInProcessTest$Tamperer
                reason: a test of the tamper check (never do this)
            """;
    /** What an attacker writes: every request free. */
    private static final String ALLOW_EVERYTHING = "auth:\n  api-key: allow\n  none: allow\n";

    @org.junit.jupiter.api.io.TempDir
    static Path tempDir;
    static Path dir;
    static Path events;
    static Path policy;
    static Process other;
    static String mode;

    static void attach(String attachedMode) throws Exception {
        mode = attachedMode;
        dir = tempDir.toRealPath();
        events = dir.resolve("logs/events.jsonl");
        Path policyDir = Files.createDirectories(dir.resolve("policy"));
        policy = policyDir.resolve("policy.yaml");
        Files.writeString(policy, POLICY.formatted(policy));
        Files.createDirectories(events.getParent());
        // a process of someone else's, with a secret on its command line; started outside any request
        other = new ProcessBuilder("sleep", "3600").start();
        AgentMain.agentmain("mode=" + mode + ",policy=" + policy + ",events=" + events, ByteBuddyAgent.install());
    }

    @AfterAll
    static void stopOther() {
        if (other != null) {
            other.destroyForcibly();
        }
    }

    private boolean blocking() {
        return mode.equals("block");
    }

    /** What a request saw: what its work threw (or null), and the status the client got. */
    record Served(Throwable thrown, int status) {
    }

    interface Work {
        void run() throws Exception;
    }

    private static Served serve(String credentials, Work work) throws Exception {
        FakeServletExchange exchange = new FakeServletExchange();
        switch (credentials) {
            case "api-key" -> exchange.headers.put("x-api-key", "k-own-files");
            case "user" -> {
                exchange.principal = () -> "ops";
                exchange.authType = "BASIC";
            }
            default -> { }
        }
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        new JakartaServlets.Doing(() -> {
            try {
                work.run();
            } catch (Exception e) {
                thrown.set(e);
            }
        }).service((jakarta.servlet.ServletRequest) exchange.request("jakarta.servlet"),
                (jakarta.servlet.ServletResponse) exchange.response("jakarta.servlet",
                        new JakartaServlets.Sink(exchange.body)));
        return new Served(thrown.get(), exchange.status);
    }

    private static boolean refused(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof HostGuardBlockedException) {
                return true;
            }
        }
        return false;
    }

    private static List<JsonNode> events() throws IOException {
        List<JsonNode> all = new ArrayList<>();
        for (String line : Files.readAllLines(events)) {
            all.add(JSON.readTree(line));
        }
        return all;
    }

    private static JsonNode lastEvent() throws IOException {
        List<JsonNode> all = events();
        return all.get(all.size() - 1);
    }

    /** Every way a request could write the events file, and its rotation, and the link to it. */
    private static List<Work> eventsFileWrites(Path link) {
        return List.of(
                () -> new FileOutputStream(events.toFile()).close(),                           // truncates
                () -> new RandomAccessFile(events.toFile(), "rw").setLength(0),
                () -> Files.writeString(events, ""),
                () -> Files.newByteChannel(events, StandardOpenOption.WRITE).close(),
                () -> new FileOutputStream(events.toFile(), true).close(),                     // append
                () -> new FileOutputStream(link.toFile()).close(),                             // through a symlink
                () -> Files.writeString(Path.of(events + ".1"), "forged rotation"),
                () -> new FileOutputStream(dir.resolve("logs/../logs/events.jsonl").toString()).close());
    }

    @Test
    void guardedRequestsCannotWriteTheEventsFileWhichKeepsEveryEvent() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("innocent.jsonl"), events);
        for (String credentials : List.of("api-key", "none")) {
            List<Work> writes = eventsFileWrites(link);
            for (int i = 0; i < writes.size(); i++) {
                List<String> before = Files.readAllLines(events);
                Served served = serve(credentials, writes.get(i));
                String what = credentials + " write #" + i + " in " + mode;
                assertTrue(refused(served.thrown()), what + ": refused in either mode, got " + served.thrown());
                assertEquals(403, served.status(), what);
                List<String> after = Files.readAllLines(events);
                assertEquals(before, after.subList(0, before.size()), what + ": every earlier event is still there");
                assertEquals(before.size() + 1, after.size(), what + ": and the refusal's own");
                JsonNode event = lastEvent();
                assertEquals("hostguard-files", event.at("/hostguard/rule").asText(), event.toString());
                assertEquals("blocked", event.at("/hostguard/decision").asText(), event.toString());
                assertEquals("write", event.at("/hostguard/access").asText());
                assertEquals(credentials, event.at("/hostguard/auth").asText());
                assertEquals("file-open", event.at("/event/action").asText());
            }
        }
        assertFalse(Files.exists(Path.of(events + ".1")), "no forged rotation");
    }

    /** Changes other than a write: the events file and the policy renamed over, deleted, linked, chmod-ed. */
    @Test
    void guardedRequestsCannotMoveDeleteOrChangeHostGuardsFiles() throws Exception {
        Path forged = Files.writeString(dir.resolve("forged.jsonl"), "{}\n");
        List<Work> changes = List.of(
                () -> Files.move(forged, events, StandardCopyOption.REPLACE_EXISTING),
                () -> Files.move(events, dir.resolve("moved.jsonl")),
                () -> Files.delete(events),
                () -> Files.delete(policy),
                () -> Files.createLink(dir.resolve("policy-link.yaml"), policy),
                () -> Files.setPosixFilePermissions(events, PosixFilePermissions.fromString("r--------")),
                () -> {
                    if (!policy.toFile().delete()) {
                        throw new IOException("File.delete answered false");
                    }
                });
        byte[] original = Files.readAllBytes(policy);
        for (int i = 0; i < changes.size(); i++) {
            List<String> before = Files.readAllLines(events);
            Served served = serve("api-key", changes.get(i));
            String what = "change #" + i + " in " + mode;
            assertEquals(403, served.status(), what + ": " + served.thrown());
            assertEquals(before, Files.readAllLines(events).subList(0, before.size()), what + ": every event kept");
            assertEquals("hostguard-files", lastEvent().at("/hostguard/rule").asText(), what);
        }
        assertArrayEquals(original, Files.readAllBytes(policy), "the policy file is unchanged");
        assertTrue(Files.isWritable(events) && Files.exists(forged), "the events file kept its mode, not replaced");
        assertFalse(Files.exists(dir.resolve("policy-link.yaml")) || Files.exists(dir.resolve("moved.jsonl")));
    }

    @Test
    void aUsersRequestAndWorkOutsideRequestsAreUntouched() throws Exception {
        int before = events().size();
        Path rotation = Path.of(events + ".2");
        Served served = serve("user", () -> Files.writeString(rotation, "a user's rotation"));
        assertEquals(null, served.thrown());
        assertEquals(200, served.status());
        Files.writeString(Path.of(events + ".3"), "outside any request");
        String[] info = new String[1];
        serve("user", () -> info[0] = ProcessHandle.of(other.pid()).orElseThrow().info().commandLine().orElse(""));
        assertTrue(info[0].contains("sleep 3600"), info[0]);
        assertEquals(before, events().size(), "no event");
        assertTrue(Files.exists(rotation));
    }

    @Test
    void guardedRequestsCannotRewriteThePolicy() throws Exception {
        byte[] original = Files.readAllBytes(policy);
        for (String credentials : List.of("api-key", "none")) {
            int before = events().size();
            Served served = serve(credentials, () -> Files.writeString(policy, ALLOW_EVERYTHING));
            assertTrue(refused(served.thrown()), credentials + " in " + mode + ": " + served.thrown());
            assertEquals(before + 1, events().size());
            assertEquals("hostguard-files", lastEvent().at("/hostguard/rule").asText());
            Served truncated = serve(credentials, () -> new FileOutputStream(policy.toFile()).close());
            assertTrue(refused(truncated.thrown()), credentials + " truncating it: " + truncated.thrown());
        }
        assertArrayEquals(original, Files.readAllBytes(policy), "the policy file is unchanged");
    }

    /** The only code the policy's allow entry lets write the policy file (its {@code caller}). */
    static final class Tamperer {
        static void rewrite() throws IOException {
            Files.writeString(policy, ALLOW_EVERYTHING);
        }
    }

    /**
     * A write the operator's policy lets a guarded request do (here an allow entry for one caller on the stack;
     * equally the rule switched off, or a spelling of the path no rule sees): the change is not put in force.
     */
    @Test
    void aRewriteAGuardedRequestWasLetDoIsRefusedAtTheReloadAndTheOldPolicyStays() throws Exception {
        Served served = serve("api-key", Tamperer::rewrite);
        assertEquals(null, served.thrown(), "the allow entry let it write");
        JsonNode tampered = awaitEvent("policy-tampered");
        assertEquals("alert", tampered.at("/event/kind").asText());
        assertEquals("configuration", tampered.at("/event/category/0").asText());
        assertEquals("intrusion_detection", tampered.at("/event/category/1").asText());
        assertEquals(policy.toString(), tampered.at("/file/path").asText());
        assertEquals("api-key", tampered.at("/hostguard/auth").asText());
        assertEquals("/admin/run", tampered.at("/url/path").asText());
        for (JsonNode event : events()) {
            assertFalse(event.at("/event/action").asText().equals("policy-reloaded"), "never reloaded: " + event);
        }
        // the old policy is in force: an API-key request's process start is still a finding
        int before = events().size();
        Path marker = dir.resolve("after-tamper");
        Served exec = serve("api-key", () -> new ProcessBuilder("touch", marker.toString()).start().waitFor());
        assertEquals(blocking(), refused(exec.thrown()), String.valueOf(exec.thrown()));
        assertEquals(!blocking(), Files.exists(marker));
        assertEquals(before + 1, events().size());
        assertEquals("process-start", lastEvent().at("/hostguard/rule").asText());
    }

    private static JsonNode awaitEvent(String action) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (JsonNode event : events()) {
                if (event.at("/event/action").asText().equals(action)) {
                    return event;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + action + " event in 30 s: " + events());
    }

    @Test
    void processInfoOfThisAndAnotherProcessIsJudgedAsTheirCommandLine() throws Exception {
        for (String credentials : List.of("api-key", "none")) {
            for (long pid : new long[] {ProcessHandle.current().pid(), other.pid()}) {
                int before = events().size();
                AtomicReference<ProcessHandle.Info> info = new AtomicReference<>();
                Served served = serve(credentials, () -> info.set(ProcessHandle.of(pid).orElseThrow().info()));
                String what = credentials + " info of " + pid + " in " + mode;
                assertEquals(null, served.thrown(), what + ": info() throws nothing");
                assertEquals(blocking() ? 403 : 200, served.status(), what);
                ProcessHandle.Info seen = info.get();
                assertNotNull(seen);
                if (blocking()) {
                    assertEquals(Optional.empty(), seen.commandLine(), what);
                    assertEquals(Optional.empty(), seen.arguments(), what);
                    assertEquals(Optional.empty(), seen.command(), what);
                    assertEquals(Optional.empty(), seen.user(), what);
                } else {
                    assertTrue(seen.commandLine().isPresent(), what);
                }
                assertEquals(before + 1, events().size(), what);
                JsonNode event = lastEvent();
                assertEquals("proc-cmdline", event.at("/hostguard/rule").asText(), event.toString());
                assertEquals("/proc/" + pid + "/cmdline", event.at("/file/path").asText());
                assertEquals("read", event.at("/hostguard/access").asText());
                assertEquals(blocking() ? "blocked" : "logged", event.at("/hostguard/decision").asText());
            }
        }
        // every process the container sees, as a key holder would list them: no command line comes back in block
        List<String> lines = new ArrayList<>();
        serve("api-key", () -> ProcessHandle.allProcesses()
                .forEach(p -> p.info().commandLine().ifPresent(lines::add)));
        assertEquals(blocking(), lines.isEmpty(), String.valueOf(lines));
        // outside requests: free, no event
        int before = events().size();
        assertTrue(ProcessHandle.of(other.pid()).orElseThrow().info().commandLine().orElse("").contains("sleep"));
        assertTrue(other.info().commandLine().isPresent(), "Process.info() too");
        assertEquals(before, events().size());
    }

    @Test
    void signalsToAnotherProcessThroughItsHandleAreFindings() throws Exception {
        for (String credentials : List.of("api-key", "none")) {
            for (boolean forcibly : new boolean[] {false, true}) {
                Process victim = new ProcessBuilder("sleep", "3600").start(); // outside any request
                try {
                    int before = events().size();
                    boolean[] sent = new boolean[1];
                    Served served = serve(credentials, () -> {
                        ProcessHandle handle = ProcessHandle.of(victim.pid()).orElseThrow();
                        sent[0] = forcibly ? handle.destroyForcibly() : handle.destroy();
                    });
                    String what = credentials + (forcibly ? " destroyForcibly" : " destroy") + " in " + mode;
                    assertEquals(null, served.thrown(), what);
                    assertEquals(!blocking(), sent[0], what + ": a refused signal returns false");
                    assertEquals(blocking(), !victim.waitFor(blocking() ? 200 : 10_000, TimeUnit.MILLISECONDS),
                            what + ": alive after a refusal only");
                    assertEquals(before + 1, events().size(), what);
                    JsonNode event = lastEvent();
                    assertEquals("process-signal", event.at("/event/action").asText(), event.toString());
                    assertEquals("process-signal", event.at("/hostguard/rule").asText());
                    assertEquals(forcibly ? "SIGKILL" : "SIGTERM", event.at("/hostguard/signal").asText());
                    assertEquals(victim.pid(), event.at("/process/pid").asLong());
                    assertEquals(blocking() ? 403 : 200, served.status(), what);
                } finally {
                    victim.destroyForcibly();
                }
            }
        }
        Process victim = new ProcessBuilder("sleep", "3600").start();
        int before = events().size();
        serve("user", () -> assertTrue(ProcessHandle.of(victim.pid()).orElseThrow().destroy()));
        assertTrue(victim.waitFor(10, TimeUnit.SECONDS), "a user's signal is sent");
        assertEquals(before, events().size(), "a user's signal is no finding");
        Process child = new ProcessBuilder("sleep", "3600").start(); // outside requests: logged by default
        int afterStart = events().size();
        assertTrue(child.toHandle().destroy(), "outside requests too");
        assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        assertEquals(afterStart, events().size(), "a signal outside requests is no finding");
    }
}
