package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Work handed over inside a guarded request is judged as that request's: the demo's hand-over process actions
 * ({@code Actions.handOverActions()}: a new thread, a fixed pool and a scheduled executor created at boot,
 * {@code CompletableFuture.supplyAsync}, a virtual thread on JDK 21+, a pool task nobody waits for, a
 * {@code java.util.Timer} created at boot that fires after the answer, a parallel stream's element on a common-pool
 * worker, and a {@code RecursiveAction}'s forked child on one), on every
 * JDK, in block and audit mode (one demo JVM per JDK and mode), with the API key on {@code /admin/exec}: block →
 * nothing ran and exactly one {@code blocked} event; audit → it ran and exactly one {@code logged} event. Either
 * event is the request's ({@code hostguard.auth=api-key}, {@code url.path=/admin/exec}, the key's fingerprint) but
 * says {@code hostguard.context=propagated}, names the submitting thread in {@code hostguard.submitter}, and its
 * {@code thread.name} is the thread the work ran on, not the submitter. With a BASIC login ({@code /ops/exec})
 * every shape runs and logs nothing.
 *
 * <p>What the client gets in block mode is HostGuard's 403 naming the event, although the refusal was thrown on the
 * thread that ran the work: the waiting handler gets it back from {@code Future.get} or {@code join} (inside an
 * {@code ExecutionException}, which the demo unwraps and would answer with its own 500), and the failed wait makes
 * the refusal the request's own, answered at its exit. {@code fire-and-forget} and {@code timer} answer 200
 * {@code submitted}: nobody waits for their work, so its refusal leaves the answer alone; the event still appears,
 * and the marker never does.
 *
 * <p>No leak: the demo runs with {@code POOL_TICK_MS}, so a thread it started at boot, outside any request, has the
 * pool run {@code true} every 100 ms once the pool has a worker (it never creates one). The pool has one worker,
 * created by its first task, which is this JVM's API-key {@code pool} request (the first test after start-up):
 * that worker was born inside the request and inherited it. Once a tick ran on that same worker (its name is the
 * pool event's {@code thread.name}) and succeeded, and a later request's event proves everything before it was
 * written, no event may name {@code true}: in block mode a leak would also have failed the tick. The same tick has
 * the common fork/join pool run {@code true} once it has a worker, which the API-key requests' work created: it must
 * run on one of the workers that ran the API-key {@code parallel-stream} and {@code fork-join} work, and freely
 * (the JDK does not let common-pool workers inherit thread-locals at all; a worker of a pool of one's own does, and
 * {@code InProcessAgentTest} shows that one carries nothing either).
 */
class HandOverIT {
    private static final String TEST = HandOverIT.class.getSimpleName();
    private static final List<String> MODES = List.of("block", "audit");

    /** The demo's hand-over shapes, {@code pool} first (see the class comment), checked against the demo's own. */
    static final List<String> SHAPES = List.of("pool", "thread", "scheduled", "completable-future", "virtual-thread",
            "fire-and-forget", "timer", "parallel-stream", "fork-join");
    private static final String FIRE_AND_FORGET = "fire-and-forget";
    /** The shapes that answer {@code submitted} before their work runs. */
    private static final Set<String> ANSWER_FIRST = Set.of(FIRE_AND_FORGET, "timer");
    private static final String VIRTUAL_THREAD = "virtual-thread";

    /**
     * The name of the thread each shape's work runs on (a regular expression). {@code supplyAsync} runs on the common
     * pool, except where that pool's parallelism is below 2 (2 CPUs or fewer): then {@code CompletableFuture}
     * starts a new thread per task ({@code Thread-<n>}), which inherits the request as any thread started inside it.
     */
    private static final Map<String, String> WORKER_NAMES = Map.of(
            "pool", "demo-pool-\\d+", "thread", "demo-handover", "scheduled", "demo-scheduler-\\d+",
            "completable-future", "ForkJoinPool\\.commonPool-worker-\\d+|Thread-\\d+",
            "virtual-thread", "demo-virtual", FIRE_AND_FORGET, "demo-pool-\\d+", "timer", "demo-timer",
            "parallel-stream", "ForkJoinPool\\.commonPool-worker-\\d+",
            "fork-join", "ForkJoinPool\\.commonPool-worker-\\d+");

    /** Any tick line: {@code exit=<code> on <worker>}, or {@code failed: <exception>}. */
    private static final Pattern POOL_TICK = Pattern.compile("hostguard-demo pool tick .*");
    private static final Pattern POOL_TICK_RAN = Pattern.compile("hostguard-demo pool tick exit=0 on (\\S+)");
    /** Common-pool tick lines; the common pool gets its first worker in a request (see {@link #noCommonPoolLeak}). */
    private static final Pattern COMMON_POOL_TICK = Pattern.compile("hostguard-demo common-pool tick .*");
    private static final Pattern COMMON_POOL_TICK_RAN =
            Pattern.compile("hostguard-demo common-pool tick exit=0 on (\\S+)");
    /** The shapes whose work runs on a common-pool worker whatever the number of CPUs. */
    private static final Set<String> COMMON_POOL_SHAPES = Set.of("parallel-stream", "fork-join");
    private static final Duration TICK_WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ServiceSlots SLOTS = new ServiceSlots();

    @TestFactory
    Stream<DynamicNode> handOvers() {
        return Jdks.all().stream().map(jdk -> dynamicContainer("JDK " + jdk.version(),
                MODES.stream().map(mode -> forService(jdk, mode))));
    }

    /**
     * The 403 for work the handler waited for is the server's answer as much as the demo's: the same API-key
     * hand-overs on Tomcat and the JDK HttpServer (which use the demo's actions), in block mode.
     */
    @TestFactory
    Stream<DynamicNode> refusedHandOversOnTheOtherServers() {
        return Jdks.all().stream().map(jdk -> dynamicContainer("JDK " + jdk.version(),
                Stream.of(GuardedServer.TOMCAT_APP, GuardedServer.HTTPSERVER_APP).map(server -> {
                    ServiceSlot slot = SLOTS.add(new ServiceSlot(TEST, jdk, server, "block",
                            tmp.resolve(jdk.label() + "-" + server.name()), b -> b));
                    List<DynamicTest> tests = new ArrayList<>();
                    tests.add(dynamicTest(slot.label() + "start " + server.displayName() + " with -javaagent mode=block",
                            slot::start));
                    for (String shape : SHAPES) {
                        tests.add(dynamicTest(slot.label() + shape + " | api-key on /admin/exec -> "
                                + (ANSWER_FIRST.contains(shape) ? "200 submitted, then one blocked propagated event"
                                : "HostGuard's 403 naming the one blocked propagated event"),
                                () -> apiKeyCase(slot.require(), shape)));
                    }
                    tests.add(dynamicTest(slot.label() + "stop: no agent WARN/ERROR; the API key is in neither the"
                            + " events nor the log", slot::stop));
                    return dynamicContainer(server.displayName(), tests.stream());
                })));
    }

    private DynamicContainer forService(Jdks.Jdk jdk, String mode) {
        Path dir = tmp.resolve(jdk.label() + "-" + mode);
        ServiceSlot slot = new ServiceSlot(TEST, jdk, GuardedServer.DEMO, mode, dir,
                GuardedService.withTick(dir, "POOL_TICK_MS", 100));
        SLOTS.add(slot);
        String at = slot.label();
        AtomicReference<String> poolWorker = new AtomicReference<>();
        Set<String> commonPoolWorkers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "start demo with -javaagent mode=" + mode + ", POOL_TICK_MS=100", slot::start));
        String apiKeyOutcome = slot.blocking()
                ? "not run, one blocked propagated event, HostGuard's 403 naming it (the handler waited)"
                : "200, ran, one logged propagated event";
        for (String shape : SHAPES) {
            String outcome = ANSWER_FIRST.contains(shape)
                    ? "200 submitted, then " + (slot.blocking() ? "one blocked propagated event, never run"
                    : "one logged propagated event, ran")
                    : apiKeyOutcome;
            tests.add(dynamicTest(at + shape + " | api-key on /admin/exec -> " + outcome, () -> {
                JsonNode event = apiKeyCase(slot.require(), shape);
                String worker = event.path("thread").path("name").asText();
                if (shape.equals("pool")) {
                    poolWorker.set(worker);
                } else if (COMMON_POOL_SHAPES.contains(shape)) {
                    commonPoolWorkers.add(worker);
                }
            }));
            tests.add(dynamicTest(at + shape + " | user on /ops/exec -> 200, ran, no event",
                    () -> loginCase(slot.require(), shape)));
        }
        if (jdk.feature() < 21) {
            tests.add(dynamicTest(at + "virtual-thread before JDK 21: the demo's 500 says it needs JDK 21; nothing "
                    + "ran, no event", () -> virtualThreadUnavailable(slot.require())));
        }
        tests.add(dynamicTest(at + "no leak: the pool's worker, born in the API-key pool request, runs the boot "
                + "thread's tick (true) outside requests: it succeeds, no event as a request's",
                () -> noLeak(slot.require(), poolWorker.get())));
        tests.add(dynamicTest(at + "no leak: the common pool's workers, which ran the API-key parallel-stream and "
                + "fork-join work, run the boot thread's tick (true) outside requests: it succeeds, no event as a "
                + "request's",
                () -> noCommonPoolLeak(slot.require(), commonPoolWorkers)));
        tests.add(dynamicTest(at + "stop: no agent WARN/ERROR; the API key is in neither the events nor the log",
                slot::stop));
        return dynamicContainer("mode=" + mode, tests.stream());
    }

    private static void requireShapeAvailable(GuardedService service, String shape) {
        if (shape.equals(VIRTUAL_THREAD) && service.jdk().feature() < 21) {
            Assumptions.abort("virtual threads need JDK 21 or later; this is " + service.jdk().version());
        }
    }

    /** {@code cmd=touch <marker>} handed over with the API key; returns the event. */
    private static JsonNode apiKeyCase(GuardedService service, String shape) {
        requireShapeAvailable(service, shape);
        Path marker = service.marker(shape + "-api-key");
        int before = service.events().count();
        HttpTestClient.Response response = service.exec(Credentials.API_KEY, shape, "touch " + marker).send();
        ProcessStartEvent expected = new ProcessStartEvent(service.blocking(), service.mode(), "api-key",
                "/admin/exec", List.of("touch", marker.toString()), service.markers(),
                service.secrets().apiKeyFingerprint());
        boolean waited = !ANSWER_FIRST.contains(shape);
        if (!waited) {
            assertEquals(200, response.status(), () -> shape + " answers before its work runs: " + response);
            assertEquals("submitted", response.body(), () -> shape + "'s answer: " + response);
        }
        JsonNode event;
        if (service.blocking()) {
            event = GuardAssertions.assertRefused(service, "response " + response, marker, before, expected);
            if (waited) {
                assertEquals(403, response.status(), () -> "the handler waited for the refused work and failed with"
                        + " it: HostGuard's answer, not the demo's 500: " + response);
                assertEquals(event.at("/event/id").asText(), response.json().path("event_id").asText(),
                        () -> "the 403 names the event: " + response);
                assertEquals("process-start", response.json().path("rule").asText(), response::toString);
            }
        } else {
            if (waited) {
                ProcessStartEvent.assertRan(response);
            }
            event = service.events().awaitSince(before, "for " + marker, EventLog.hasProcessArg(marker.toString()));
            expected.assertMatches(event);
            awaitFile(marker);
            GuardAssertions.assertOnlyEvents(service.events(), before, List.of(EventLog.hasProcessArg(marker.toString())));
        }
        assertPropagated(event, WORKER_NAMES.get(shape));
        GuardAssertions.assertKeyNotLeaked(service);
        service.process().assertNoUnexpectedAgentProblems();
        return event;
    }

    /** The event is the request's, reported from the thread the work was handed to (named as {@code worker}). */
    static void assertPropagated(JsonNode event, String worker) {
        JsonNode hg = event.path("hostguard");
        assertEquals("propagated", hg.path("context").asText(), () -> "hostguard.context in " + event);
        String submitter = hg.path("submitter").asText("");
        String thread = event.path("thread").path("name").asText("");
        assertFalse(submitter.isBlank(), () -> "hostguard.submitter missing in " + event);
        assertNotEquals(submitter, thread, () -> "the submitter is the executing thread in " + event);
        assertTrue(thread.matches(worker), () -> "thread.name does not match " + worker + ": " + event);
    }

    /** The same hand-over with a BASIC login: runs, and the agent writes nothing for it. */
    private static void loginCase(GuardedService service, String shape) {
        requireShapeAvailable(service, shape);
        Path marker = service.marker(shape + "-user");
        int before = service.events().count();
        HttpTestClient.Response response = service.exec(Credentials.USER_LOGIN, shape, "touch " + marker).send();
        if (ANSWER_FIRST.contains(shape)) {
            assertEquals(200, response.status(), () -> shape + ": " + response);
            assertEquals("submitted", response.body(), () -> shape + "'s answer: " + response);
            awaitFile(marker);
        } else {
            ProcessStartEvent.assertRan(response);
            assertTrue(Files.exists(marker), "the command should have run: " + marker + " does not exist");
        }
        assertNothingLogged(service, before, "for a BASIC-login " + shape + " request", shape + "-user-follow-up");
        service.process().assertNoUnexpectedAgentProblems();
    }

    private static void virtualThreadUnavailable(GuardedService service) {
        Path marker = service.marker("virtual-thread-unavailable");
        int before = service.events().count();
        HttpTestClient.Response response = service.exec(Credentials.API_KEY, VIRTUAL_THREAD, "touch " + marker).send();
        assertEquals(500, response.status(), () -> "virtual-thread on " + service.jdk().version() + ": " + response);
        assertTrue(response.json().path("error").asText().contains("needs JDK 21"), () -> "the reason: " + response);
        assertFalse(Files.exists(marker), "nothing should have run: " + marker);
        assertNothingLogged(service, before, "for virtual-thread before JDK 21", "virtual-thread-follow-up");
    }

    /**
     * The pool's only worker, born inside the API-key {@code pool} request, later runs the boot thread's ticks,
     * submitted outside any request: they run ({@code exit=0}, so nothing refused them) and no event names a request for
     * them.
     */
    private static void noLeak(GuardedService service, String poolWorker) {
        if (poolWorker == null || poolWorker.isBlank()) {
            Assumptions.abort("the API-key pool case did not report its worker");
        }
        Matcher first = service.process().awaitLine(POOL_TICK, TICK_WAIT);
        assertNotNull(first, () -> "no pool tick within " + TICK_WAIT + ":\n" + service.process().tail());
        Matcher tick = POOL_TICK_RAN.matcher(first.group());
        assertTrue(tick.matches(), () -> "the tick's true did not run: " + first.group());
        assertEquals(poolWorker, tick.group(1), "the tick ran on another worker than the API-key pool request's");
        List<String> failed = service.process().lines().stream().map(ServiceProcess.Line::text)
                .filter(l -> l.startsWith("hostguard-demo pool tick failed")).toList();
        assertTrue(failed.isEmpty(), () -> "pool ticks failed: " + failed);
        assertNothingLogged(service, 0, "for the pool's tick (true), outside any request", "tick-follow-up",
                HandOverIT::tickJudgedForARequest);
    }

    /**
     * An event for a tick's {@code true} that names a request (it ran outside any request: the default policy logs
     * it there as {@code outside-request}, which is right; judged as a request's, it would be a leak).
     */
    private static boolean tickJudgedForARequest(JsonNode event) {
        return event.path("process").path("args").toString().equals("[\"true\"]")
                && !"outside-request".equals(event.path("hostguard").path("auth").asText());
    }

    static void assertNothingLogged(GuardedService service, int before, String what, String followUpName) {
        assertNothingLogged(service, before, what, followUpName, e -> true);
    }

    /**
     * No event matching {@code unwanted} after {@code before} ({@link EventLog#assertNothingLoggedSince}; the
     * follow-up is {@code /public/exec}, logged or blocked as {@code none}).
     */
    /**
     * The common pool's workers are created by the first work handed to it, inside API-key requests here (no
     * request before uses the common pool, except {@code completable-future} on a machine with more than 2 CPUs,
     * which is an API-key request too); the boot thread's common-pool tick later runs {@code true} on one of them,
     * outside any request: it runs, on a worker that ran API-key work, and no event names a request for it.
     */
    private static void noCommonPoolLeak(GuardedService service, Set<String> requestWorkers) {
        if (requestWorkers.isEmpty()) {
            Assumptions.abort("the API-key parallel-stream and fork-join cases did not report their workers");
        }
        int from = service.process().lines().size();  // a tick after the API-key cases
        Matcher line = service.process().awaitLine(COMMON_POOL_TICK, from, TICK_WAIT);
        assertNotNull(line, () -> "no common-pool tick within " + TICK_WAIT + ":\n" + service.process().tail());
        Matcher tick = COMMON_POOL_TICK_RAN.matcher(line.group());
        assertTrue(tick.matches(), () -> "the common-pool tick's true did not run: " + line.group());
        assertTrue(requestWorkers.contains(tick.group(1)),
                () -> "the tick ran on " + tick.group(1) + ", not on a worker of the API-key requests " + requestWorkers);
        List<String> failed = service.process().lines().stream().map(ServiceProcess.Line::text)
                .filter(l -> l.startsWith("hostguard-demo common-pool tick failed")).toList();
        assertTrue(failed.isEmpty(), () -> "common-pool ticks failed: " + failed);
        assertNothingLogged(service, 0, "for the common pool's tick (true), outside any request",
                "common-pool-tick-follow-up", HandOverIT::tickJudgedForARequest);
    }

    private static void assertNothingLogged(GuardedService service, int before, String what, String followUpName,
                                            Predicate<JsonNode> unwanted) {
        Path followUp = service.marker(followUpName);
        service.events().assertNothingLoggedSince(before, what,
                () -> service.exec(Credentials.NONE, "process-builder", "touch " + followUp).send(),
                EventLog.hasProcessArg(followUp.toString()), unwanted);
    }

    /** Waits (bounded) for a file that work running after the response creates. */
    static void awaitFile(Path file) {
        long deadline = System.nanoTime() + EventLog.DEFAULT_WAIT.toNanos();
        while (!Files.exists(file)) {
            if (System.nanoTime() >= deadline) {
                throw new AssertionError(file + " did not appear within " + EventLog.DEFAULT_WAIT);
            }
            try {
                Thread.sleep(20); // poll interval of a bounded wait on the file
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
