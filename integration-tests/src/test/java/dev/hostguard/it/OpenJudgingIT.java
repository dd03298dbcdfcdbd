package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Read-only opens judged after the open, on what the kernel opened (issue 16), and hard links judged as the file
 * they are (issue 18), in block mode, JDK x the JDK {@code HttpServer} app, which runs with
 * {@code DEMO_CANARY=canary-<random>} in its environment and a policy rule {@code test-shadow} on
 * {@code <dir>/secret/shadow}:
 * <ul>
 *   <li><b>a link swapped while requests run</b>: a thread of the test flips {@code <dir>/swap/notes} (atomically,
 *       by rename) between a harmless file and {@code /proc/self/environ} as fast as it can, while API-key requests
 *       read {@code notes} through every read shape (java.io, NIO, {@code openat}) until both outcomes were seen
 *       many times: every answer is the harmless content or the agent's 403 ({@code proc-environ}); the canary is in
 *       no answer, no event and no log line. The path as spelled never names a rule, so every one of these opens is
 *       judged after it, on the descriptor</li>
 *   <li><b>a hard link</b> in the temp directory to the protected file, made outside requests ({@code ln}): read
 *       through the link inside an API-key request by every read shape: the agent's 403, the secret in no answer,
 *       the event names the protected file ({@code file.path}) and the link as given ({@code file.original_path});
 *       by the logged-in user: read, no event</li>
 * </ul>
 */
class OpenJudgingIT {
    private static final String TEST = OpenJudgingIT.class.getSimpleName();
    private static final String RULE = "test-shadow";
    /** The swap race stops once each outcome was seen this often, or after {@link #MAX_RACE_REQUESTS}. */
    private static final int OUTCOMES_WANTED = 20;
    private static final int MAX_RACE_REQUESTS = 4000;

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ServiceSlots SLOTS = new ServiceSlots();

    @TestFactory
    Stream<DynamicNode> readsJudgedOnWhatWasOpened() {
        return Jdks.all().stream().map(jdk -> dynamicContainer("JDK " + jdk.version(), forService(jdk)));
    }

    private Stream<DynamicTest> forService(Jdks.Jdk jdk) {
        Path dir = tmp.resolve(jdk.label());
        Path secret = dir.resolve("secret").resolve("shadow");
        String canary = "canary-" + UUID.randomUUID().toString().replace("-", "");
        String shadow = "root:$6$" + UUID.randomUUID() + ":19000:0:99999:7:::\n";
        String policy = GuardedService.UNLIMITED_EVENTS_POLICY
                + "rules:\n  - id: " + RULE + "\n    paths: [\"" + secret + "\"]\n";
        ServiceSlot slot = new ServiceSlot(TEST, jdk, GuardedServer.HTTPSERVER_APP, "block", dir,
                b -> GuardedService.withPolicy(dir.resolve("policy.yaml"), policy).apply(b.env("DEMO_CANARY", canary)));
        SLOTS.add(slot);
        String at = slot.label();
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "start with DEMO_CANARY in the environment and " + RULE + " on " + secret, () -> {
            Files.createDirectories(secret.getParent());
            Files.writeString(secret, shadow);
            slot.start();
        }));
        tests.add(dynamicTest(at + "a link flipped between a harmless file and /proc/self/environ while API-key "
                + "requests read it (every read shape): the harmless content or 403, never a byte of environ",
                () -> swapRace(slot.require(), dir, canary)));
        for (String shape : FileShapes.READS) {
            tests.add(dynamicTest(at + "read " + shape + " a hard link (made outside requests) to " + RULE
                    + "'s file, API key -> 403, not read, the event names the protected file",
                    () -> hardLink(slot.require(), dir, secret, shadow, shape)));
        }
        tests.add(dynamicTest(at + "read the hard link as the logged-in user -> 200, read, no event",
                () -> hardLinkUser(slot.require(), dir, secret, shadow)));
        tests.add(dynamicTest(at + "stop: no agent WARN/ERROR; neither the canary nor the secret in the events or "
                + "the log", () -> {
            GuardedService s = slot.require();
            slot.stop();
            assertFalse(s.events().rawText().contains(canary), "the canary (environ) is in the events file");
            assertFalse(s.process().logText().contains(canary), "the canary (environ) is in the server log");
            assertFalse(s.events().rawText().contains(shadow.trim()), "the secret is in the events file");
        }));
        return tests.stream();
    }

    private static void swapRace(GuardedService service, Path dir, String canary) throws Exception {
        Path swap = Files.createDirectories(dir.resolve("swap"));
        Path harmless = swap.resolve("harmless.txt");
        String content = "nothing to see\n";
        Files.writeString(harmless, content);
        Path link = swap.resolve("notes");
        Files.createSymbolicLink(link, harmless);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong flips = new AtomicLong();
        AtomicReference<Throwable> swapFailure = new AtomicReference<>();
        Thread swapper = new Thread(() -> {
            Path staged = swap.resolve("notes.staged");
            try {
                while (running.get()) {
                    Path target = flips.get() % 2 == 0 ? Path.of("/proc/self/environ") : harmless;
                    Files.deleteIfExists(staged);
                    Files.createSymbolicLink(staged, target);
                    Files.move(staged, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    flips.incrementAndGet();
                }
            } catch (Throwable t) {
                swapFailure.set(t);
            }
        }, "link-swapper");
        swapper.setDaemon(true);
        swapper.start();
        int read = 0;
        int refused = 0;
        int requests = 0;
        try {
            while ((read < OUTCOMES_WANTED || refused < OUTCOMES_WANTED) && requests < MAX_RACE_REQUESTS
                    && swapFailure.get() == null) {
                String shape = FileShapes.READS.get(requests++ % FileShapes.READS.size());
                HttpTestClient.Response response = service.file(Credentials.API_KEY, shape, link.toString()).send();
                assertFalse(response.body().contains(canary), () -> shape + ": environ left in the answer: " + response);
                if (response.status() == 403) {
                    ProcessStartEvent.assertBlockResponse(response, "proc-environ");
                    refused++;
                } else {
                    assertEquals(200, response.status(), () -> shape + ": " + response);
                    assertEquals(shape.equals("files-lines") ? content.trim() : content, response.body(), shape);
                    read++;
                }
            }
        } finally {
            running.set(false);
            swapper.join();
        }
        assertEquals(null, swapFailure.get(), "the swapper failed");
        System.out.println("[it] " + service.jdk().label() + " link swap race: " + requests + " requests, " + read
                + " read the harmless file, " + refused + " refused, " + flips.get() + " flips");
        int reads = read;
        int refusals = refused;
        int sent = requests;
        assertTrue(reads > 0 && refusals > 0, () -> "the race never had both outcomes in " + sent + " requests ("
                + reads + " read, " + refusals + " refused, " + flips.get() + " flips)");
        assertFalse(service.events().rawText().contains(canary), "the canary is in the events file");
        assertFalse(service.process().logText().contains(canary), "the canary is in the server log");
    }

    private static void hardLink(GuardedService service, Path dir, Path secret, String shadow, String shape)
            throws Exception {
        Path link = Files.createDirectories(dir.resolve("links")).resolve("notes-" + shape);
        Files.createLink(link, secret);
        int before = service.events().count();
        HttpTestClient.Response response = service.file(Credentials.API_KEY, shape, link.toString()).send();
        assertFalse(response.body().contains(shadow.trim()), () -> "the protected file was read: " + response);
        String id = ProcessStartEvent.assertBlockResponse(response, RULE);
        JsonNode event = service.events().awaitSince(before, "for " + link, e -> id.equals(e.at("/event/id").asText()));
        assertEquals("blocked", event.at("/hostguard/decision").asText());
        assertEquals("read", event.at("/hostguard/access").asText());
        assertEquals(secret.toRealPath().toString(), event.at("/file/path").asText(), "file.path: the protected file");
        assertTrue(event.at("/file/original_path").asText().endsWith("notes-" + shape),
                () -> "file.original_path: the link as given: " + event);
        assertEquals(1, service.events().count() - before, () -> "one event: " + service.events().since(before));
    }

    private static void hardLinkUser(GuardedService service, Path dir, Path secret, String shadow) throws Exception {
        Path link = Files.createDirectories(dir.resolve("links")).resolve("user-notes");
        Files.createLink(link, secret);
        int before = service.events().count();
        HttpTestClient.Response response = service.file(Credentials.USER_LOGIN, "file-input-stream", link.toString())
                .send();
        assertEquals(200, response.status(), () -> "" + response);
        assertEquals(shadow, response.body());
        Path marker = service.marker("after-user-" + System.nanoTime());
        service.events().assertNothingLoggedSince(before, "for the user's read through the hard link",
                () -> service.exec(Credentials.NONE, "process-builder", "touch " + marker).send(),
                EventLog.hasProcessArg(marker.toString()));
        assertTrue(Files.readString(secret, StandardCharsets.UTF_8).equals(shadow));
    }
}
