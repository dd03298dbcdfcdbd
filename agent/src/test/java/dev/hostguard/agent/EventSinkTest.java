package dev.hostguard.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostguard.agent.config.EventTarget;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The event sinks that survive: a rotating file, and a bounded queue in front of a sink that stalls. */
class EventSinkTest {
    private static final ObjectMapper JSON = new ObjectMapper();
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

    private static String event(int i) {
        return String.format("{\"n\":%03d,\"pad\":\"%s\"}", i, "x".repeat(81)); // 100 bytes with its newline
    }

    @Test
    void aFileRotatesBeforeALineWouldCrossTheSizeAndKeepsMaxFiles() throws Exception {
        Path file = dir.resolve("logs/events.jsonl");
        EventFile sink = new EventFile(file, 4096, 2, new SinkDrops(file.toString()));
        for (int i = 0; i < 200; i++) { // 20,000 bytes: 4 whole files of 40 lines and 40 more
            sink.write(event(i));
        }
        List<String> current = Files.readAllLines(file);
        List<String> first = Files.readAllLines(dir.resolve("logs/events.jsonl.1"));
        List<String> second = Files.readAllLines(dir.resolve("logs/events.jsonl.2"));
        assertFalse(Files.exists(dir.resolve("logs/events.jsonl.3")), "only two rotated files are kept");
        assertEquals(40, current.size());
        assertEquals(List.of(40, 40), List.of(first.size(), second.size()));
        assertEquals(event(199), current.get(39));
        assertEquals(event(160), current.get(0));
        assertEquals(event(120), first.get(0));
        assertEquals(event(80), second.get(0));
        for (Path p : List.of(file, dir.resolve("logs/events.jsonl.1"), dir.resolve("logs/events.jsonl.2"))) {
            assertTrue(Files.size(p) <= 4096, p + " " + Files.size(p));
        }
        assertEquals("", stderr.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aFileThatExistsIsAppendedToAndCountsTowardsItsSize() throws Exception {
        Path file = dir.resolve("events.jsonl");
        Files.writeString(file, "x".repeat(4000) + "\n");
        EventFile sink = new EventFile(file, 4096, 5, new SinkDrops(file.toString()));
        sink.write(event(1));
        sink.write(event(2));
        assertEquals(List.of(event(1), event(2)), Files.readAllLines(file), "rotated at the first line");
        assertEquals(4001, Files.size(dir.resolve("events.jsonl.1")));
    }

    @Test
    void aStalledSinkNeverHoldsUpTheWritersAndItsDropsAreCountedAndReported() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstTaken = new CountDownLatch(1);
        List<String> written = Collections.synchronizedList(new ArrayList<>());
        AgentLogging.Lines stalled = line -> {
            firstTaken.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            written.add(line);
        };
        SinkDrops drops = new SinkDrops("stdout");
        QueuedLines queued = new QueuedLines(stalled, 10, drops);
        queued.write(event(0));
        assertTrue(firstTaken.await(10, TimeUnit.SECONDS), "the writer took the first line and is stuck in it");
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (int i = 1; i <= 1000; i++) {
                queued.write(event(i)); // 10 fit in the queue, 990 are dropped, none waits
            }
        });
        assertEquals(990, drops.queueFullTotal());
        assertFalse(queued.flush(50), "a stalled sink is given up on after the wait");
        release.countDown();
        assertTrue(queued.flush(10_000));
        assertEquals(12, written.size(), "the first line, the report of what was dropped meanwhile, the 10 queued: "
                + written);
        assertEquals(event(0), written.get(0));
        for (int i = 1; i <= 10; i++) {
            assertEquals(event(i), written.get(i + 1));
        }
        JsonNode report = JSON.readTree(written.get(1));
        assertEquals("events-suppressed", report.at("/event/action").asText());
        assertEquals("event-sink", report.at("/hostguard/rule").asText());
        assertEquals(990, report.at("/hostguard/suppressed").asLong());
        assertEquals(990, report.at("/hostguard/sink/queue_full").asLong());
        assertEquals(0, report.at("/hostguard/sink/write_failed").asLong());
        assertEquals("stdout", report.at("/hostguard/sink/target").asText());
        assertNull(drops.report(), "reported once");
    }

    @Test
    void aQueuedFileWritesEveryLineInOrderAndStartsItsThreadOnlyWithTheFirstEvent() throws Exception {
        Path file = dir.resolve("events.jsonl");
        int before = writerThreads().size(); // other tests' stalled writers
        AgentLogging logging = new AgentLogging(EventTarget.file(file).withSink(0, 5, 1000));
        assertEquals(before, writerThreads().size(), "no writer thread before an event");
        for (int i = 0; i < 500; i++) {
            logging.events().info(event(i));
        }
        assertTrue(logging.flushEvents(10_000));
        List<String> lines = Files.readAllLines(file);
        assertEquals(500, lines.size());
        for (int i = 0; i < 500; i++) {
            assertEquals(event(i), lines.get(i));
        }
        assertEquals(before + 1, writerThreads().size());
        assertEquals(0, logging.drops().total());
    }

    private static List<Thread> writerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("hostguard-events") && t.isAlive()).toList();
    }
}
