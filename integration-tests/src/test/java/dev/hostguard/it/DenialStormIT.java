package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostguard.demo.Actions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * A denial storm: 100,000 blocked file opens (two rules, eight API-key requests of 12,500 opens, two at a time)
 * in block mode. Every one is refused and none reads a byte; the heap after a full collection is as flat as
 * before; the event log stays bounded by the rate limit, and what it held back is counted, exactly: blocked events
 * written plus the {@code events-suppressed} counts make 100,000, per rule. The counts of the storm's last second
 * are written by the policy watcher's sweep while the service runs (with a policy file) or at shutdown (without).
 */
class DenialStormIT {
    private static final String TEST = DenialStormIT.class.getSimpleName();
    private static final int STORM = 100_000;
    /** Requests of {@code STORM / REQUESTS} opens each, sent by {@link #CLIENTS} threads (the app serves two). */
    private static final int REQUESTS = 8;
    private static final int CLIENTS = 2;
    /** The default {@code events.rate-limit}. */
    private static final int RATE = 100;
    /** Read in turn; each is one rule's (the process's environment and command line: readable, so a miss shows). */
    private static final Map<String, String> RULE_OF_PATH =
            Map.of("/proc/self/environ", "proc-environ", "/proc/self/cmdline", "proc-cmdline");
    /**
     * The growth of the heap after a full collection that the storm may cause: 5 MB is 50 bytes per blocked
     * operation, less than any object kept per operation (an exception with its stack trace is kilobytes, an event
     * string hundreds of bytes, a map entry 32 bytes plus its key), and far above the noise of a serial full
     * collection (a few hundred KB: the JDK server's buffers, lazily initialised JDK state).
     */
    private static final long HEAP_GROWTH_BOUND = 5L * 1024 * 1024;
    private static final Duration STORM_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path tmp;

    @TestFactory
    Stream<DynamicNode> aStormOfBlockedOperations() {
        List<DynamicNode> tests = new ArrayList<>();
        for (Jdks.Jdk jdk : Jdks.all()) {
            tests.add(dynamicTest("[" + jdk.label() + "] default settings: 100,000 refused, flat heap, bounded log, "
                    + "the last second's counts written at shutdown", () -> storm(jdk, false)));
        }
        Jdks.Jdk build = Jdks.all().get(0);
        tests.add(dynamicTest("[" + build.label() + "] with a policy file (rate-limit " + RATE + "/s): the counts "
                + "written by the watcher while the service runs", () -> storm(build, true)));
        return tests.stream();
    }

    private static void storm(Jdks.Jdk jdk, boolean policyFile) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(jdk.label() + (policyFile ? "-policy" : "-default")));
        Path allowed = Files.writeString(dir.resolve("allowed.txt"), "an ordinary file");
        // a serial collector's full collection leaves exactly what is reachable: the figure to compare
        UnaryOperator<ServiceProcess.Builder> options = b -> b.jvmArgs("-XX:+UseSerialGC", "-Xmx256m");
        if (policyFile) {
            options = options.andThen(GuardedService.withPolicy(dir.resolve("policy.yaml"),
                    "events:\n  rate-limit: " + RATE + "/s\n"))::apply;
        }
        GuardedService service = GuardedService.start(TEST, GuardedServer.HTTPSERVER_APP, jdk, "block", dir, options);
        try {
            assertOrdinaryRequestServed(service, allowed);
            heapUsedAfterGc(service);  // the first one loads the management classes
            long heapBefore = heapUsedAfterGc(service);
            int index = service.events().count();

            long start = System.nanoTime();
            long[] totals = stormRequests(service);
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            long refused = totals[0];
            long suppressedRefusals = totals[1];
            assertEquals(STORM, refused, "every blocked operation refused: " + describe(totals));
            assertEquals(0, totals[2], "no open succeeded: " + describe(totals));
            assertEquals(0, totals[3], "no byte read: " + describe(totals));
            assertEquals(0, totals[4], "no other failure: " + describe(totals));

            long heapAfter = heapUsedAfterGc(service);
            assertTrue(heapAfter - heapBefore < HEAP_GROWTH_BOUND, "heap after a full GC grew by "
                    + (heapAfter - heapBefore) + " bytes (" + heapBefore + " -> " + heapAfter + ")");
            assertOrdinaryRequestServed(service, allowed);

            List<JsonNode> events;
            if (policyFile) {
                events = service.events().awaitAllSince(index, "every refusal written or counted",
                        DenialStormIT::allAccountedFor, Duration.ofSeconds(15));
            } else {
                service.close();  // a polite stop: the shutdown hook writes the counts still held
                events = service.events().since(index);
            }
            Tally tally = Tally.of(events);
            long maxSeconds = elapsedMillis / 1000 + 2;  // the wall-clock seconds the storm can have touched
            System.out.printf("[it] %s %s: %d refusals in %d ms, heap after GC %d -> %d bytes (%+d), "
                            + "blocked events written %s, suppressed %s in %s events-suppressed events%n",
                    TEST, service, refused, elapsedMillis, heapBefore, heapAfter, heapAfter - heapBefore,
                    tally.written, tally.suppressed, tally.suppressedEvents);
            for (String rule : RULE_OF_PATH.values()) {
                long written = tally.written.getOrDefault(rule, 0L);
                assertEquals(STORM / RULE_OF_PATH.size(), written + tally.suppressed.getOrDefault(rule, 0L),
                        rule + ": blocked events + suppressed counts");
                assertTrue(written <= RATE * maxSeconds, rule + ": " + written + " blocked events in " + elapsedMillis
                        + " ms, more than " + RATE + " per second");
                assertTrue(tally.suppressedEvents.getOrDefault(rule, 0L) <= maxSeconds,
                        rule + ": more than one events-suppressed event per second: " + tally.suppressedEvents);
            }
            assertEquals(suppressedRefusals, tally.suppressed.values().stream().mapToLong(Long::longValue).sum(),
                    "refusals the app saw with event id 'suppressed' = the counts in the log");
            assertEquals(List.of(), events.stream().filter(e -> suppressedCount(e) >= 0)
                    .filter(e -> e.path("hostguard").path("rate_limit").asInt() != RATE).toList(), "rate_limit");
        } finally {
            service.close();
        }
    }

    /** Sends the storm: {@link #REQUESTS} requests from {@link #CLIENTS} threads; the sums of their answers. */
    private static long[] stormRequests(GuardedService service) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<HttpTestClient.Response>> answers = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                HttpTestClient.Get get = HttpTestClient.get(service.process().baseUri(), "/admin/storm")
                        .query("n", String.valueOf(STORM / REQUESTS));
                for (String path : RULE_OF_PATH.keySet()) {
                    get = get.query("path", path);
                }
                HttpTestClient.Get request = service.withCredentials(get, Credentials.API_KEY);
                answers.add(clients.submit(request::send));
            }
            long[] totals = new long[5];
            String[] fields = {"refused", "suppressed", "opened", "bytes_read", "failed"};
            for (Future<HttpTestClient.Response> answer : answers) {
                HttpTestClient.Response response = answer.get(STORM_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                assertEquals(200, response.status(), "storm request: " + response);
                for (int f = 0; f < fields.length; f++) {
                    totals[f] += response.json().path(fields[f]).asLong(-1_000_000);
                }
            }
            return totals;
        } finally {
            clients.shutdownNow();
        }
    }

    private static String describe(long[] totals) {
        return "refused=" + totals[0] + " (suppressed " + totals[1] + ") opened=" + totals[2] + " bytes_read="
                + totals[3] + " failed=" + totals[4];
    }

    /** The service still serves: an API-key request reads an ordinary file. */
    private static void assertOrdinaryRequestServed(GuardedService service, Path file) {
        HttpTestClient.Response response = service.file(Credentials.API_KEY, Actions.DEFAULT_FILE_ACTION,
                file.toString()).send();
        assertEquals(200, response.status(), "ordinary request: " + response);
        assertTrue(response.body().contains("an ordinary file"), "ordinary request: " + response);
    }

    private static long heapUsedAfterGc(GuardedService service) {
        HttpTestClient.Response response = HttpTestClient.get(service.process().baseUri(), "/heap").send();
        assertEquals(200, response.status(), "heap: " + response);
        return response.json().path("heap_used_after_gc").asLong();
    }

    private static boolean allAccountedFor(List<JsonNode> events) {
        Tally tally = Tally.of(events);
        return RULE_OF_PATH.values().stream().allMatch(rule -> tally.written.getOrDefault(rule, 0L)
                + tally.suppressed.getOrDefault(rule, 0L) == STORM / RULE_OF_PATH.size());
    }

    private static boolean isBlocked(JsonNode event) {
        return "blocked".equals(event.path("hostguard").path("decision").asText());
    }

    /** The count of an {@code events-suppressed} event; -1 for any other event. */
    private static long suppressedCount(JsonNode event) {
        return "events-suppressed".equals(event.path("event").path("action").asText())
                ? event.path("hostguard").path("suppressed").asLong() : -1;
    }

    /** Per rule: blocked events written, suppressed counts summed, and events-suppressed events. */
    private record Tally(Map<String, Long> written, Map<String, Long> suppressed, Map<String, Long> suppressedEvents) {
        static Tally of(List<JsonNode> events) {
            Tally tally = new Tally(new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
            for (JsonNode event : events) {
                String rule = event.path("hostguard").path("rule").asText();
                long count = suppressedCount(event);
                if (count >= 0) {
                    tally.suppressed.merge(rule, count, Long::sum);
                    tally.suppressedEvents.merge(rule, 1L, Long::sum);
                } else if (isBlocked(event)) {
                    tally.written.merge(rule, 1L, Long::sum);
                }
            }
            return tally;
        }
    }
}
