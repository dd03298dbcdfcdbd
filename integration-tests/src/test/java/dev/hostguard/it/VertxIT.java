package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostguard.it.TestAppSlot.Expected;
import dev.hostguard.it.TestAppSlot.Op;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Vert.x 5 service ({@code test-apps/vertx}: a vertx-web Router on one event-loop verticle) on every JDK, in audit
 * and block mode (one service JVM and one Docker stand-in JVM each, {@code TICK_MS=200}). The agent must see its
 * requests, on the event loop and wherever the framework hands their work, and tell a client's from a person's by
 * what vertx-web established:
 * <ul>
 *   <li>probe first: {@code /anon/exec} must be judged; if it is not, the agent does not know the server and every
 *       later case is skipped with that reason</li>
 *   <li>{@code /key} ({@code APIKeyHandler} on {@code X-Service-Key}, none of the agent's default key headers; its
 *       provider's user is {@code User.fromName("billing-client")}) and {@code /anon}: {@code exec},
 *       {@code environ}, {@code socket} refused in block mode (the agent's 403, the operation did not happen) and
 *       logged in audit mode, {@code hostguard.auth=api-key} / {@code none}; {@code benign} runs with no event.
 *       {@code /basic} ({@code BasicAuthHandler} against {@code PropertyFileAuthentication}, a person): every
 *       operation runs, no event. Each in a blocking handler ({@code /<family>/<op>}: the worker pool, through the
 *       event loop's ordered task queue) and on the event loop itself ({@code /<family>/event-loop/<op>},
 *       {@code hostguard.context=request} on a {@code vert.x-eventloop-thread})</li>
 *   <li>hand-overs of a key request's {@code exec}, the failure handed to {@code ctx.fail} and answered by the
 *       Router's default 500 without the agent: {@code executeBlocking}, an event-bus request to a worker verticle,
 *       a named {@code WorkerExecutor}, a virtual-thread verticle (JDK 21+; before, the app's 500 says so and nothing
 *       runs), {@code runOnContext}: block: the agent's 403, not run, one {@code blocked} event; audit: 200, one
 *       {@code logged} event; each with {@code url.path} the key route's and, where another thread ran it,
 *       {@code hostguard.context=propagated}, the thread it ran on and an event-loop submitter</li>
 *   <li>the event loop's ordered queue is shared by every request on that loop: a key request's blocking handler
 *       queued behind a Basic request's ({@code sleep 2}, still running) runs on the worker the Basic request's task
 *       was given, and is still judged as the key request</li>
 *   <li>no leak: after the key requests, the ticks that run {@code true} outside any request on the event loop and,
 *       through the same ordered queue, on a worker, still run ({@code exit=0}) and no event names them</li>
 * </ul>
 */
class VertxIT {
    private static final String TEST = VertxIT.class.getSimpleName();
    private static final GuardedServer SERVER = GuardedServer.VERTX;
    private static final List<String> MODES = List.of("audit", "block");
    private static final String ANY = RequestEventFields.ANY_KEY_FINGERPRINT;
    private static final Expected KEY = new Expected("api-key", ANY, null);
    private static final Expected NONE = new Expected("none", null, null);
    private static final String EVENT_LOOP = "vert\\.x-eventloop-thread-\\d+";
    private static final String WORKER = "vert\\.x-worker-thread-\\d+";
    private static final Duration TICK_WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ServiceSlots SLOTS = new ServiceSlots();

    /** A hand-over route under {@code /key}, and the threads its work runs on. */
    private record HandOver(String area, String how, String threadPattern, boolean otherThread, int minJdk) {
    }

    private static final List<HandOver> HAND_OVERS = List.of(
            new HandOver("/key/execute-blocking", "vertx.executeBlocking(callable), ordered", WORKER, true, 17),
            new HandOver("/key/worker", "event-bus request to a worker verticle", WORKER, true, 17),
            new HandOver("/key/worker-executor", "executeBlocking on a named WorkerExecutor",
                    "hostops-executor-\\d+", true, 17),
            new HandOver("/key/virtual-thread", "event-bus request to a virtual-thread verticle",
                    "vert\\.x-virtual-thread-\\d+", true, 21),
            new HandOver("/key/run-on-context", "vertx.runOnContext: later, on the same event loop", EVENT_LOOP,
                    false, 17));

    @TestFactory
    Stream<DynamicNode> vertx() {
        return Jdks.all().stream().map(jdk -> dynamicContainer("JDK " + jdk.version(),
                MODES.stream().map(mode -> forService(jdk, mode))));
    }

    private DynamicContainer forService(Jdks.Jdk jdk, String mode) {
        Path dir = tmp.resolve(jdk.label() + "-" + mode);
        TestAppSlot app = new TestAppSlot(SLOTS, TEST, jdk, SERVER, mode, dir, true,
                GuardedService.withTick(dir, "TICK_MS", 200));
        String at = app.label();
        boolean blocking = mode.equals("block");
        UnaryOperator<HttpTestClient.Get> key = get -> app.service().withCredentials(get, Credentials.API_KEY);
        UnaryOperator<HttpTestClient.Get> login = get -> app.service().withCredentials(get, Credentials.USER_LOGIN);
        UnaryOperator<HttpTestClient.Get> nothing = get -> get;
        String judged = blocking ? "403, it did not happen, blocked event" : "it ran, logged event";
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "start the Docker stand-in, then " + SERVER.displayName() + " with -javaagent mode="
                + mode + ", DOCKER_HOST on the stand-in, CANARY in its environment, TICK_MS=200", () -> app.start(TEST)));
        tests.add(dynamicTest(at + "probe: anon | exec (blocking handler) -> " + judged + " (auth none); if not, the "
                + "agent does not know Vert.x and the cases below are skipped", () -> app.probe("/anon", nothing, NONE)));
        for (String where : List.of("", "/event-loop")) {
            String kind = where.isEmpty() ? "blocking handler" : "on the event loop";
            for (Op op : Op.values()) {
                if (op == Op.BENIGN) {
                    tests.add(dynamicTest(at + "key (APIKeyHandler) | " + kind + " | benign -> 200, it ran, no event",
                            () -> app.untouched("/key" + where, op, key)));
                    tests.add(dynamicTest(at + "anon | " + kind + " | benign -> 200, it ran, no event",
                            () -> app.untouched("/anon" + where, op, nothing)));
                } else {
                    tests.add(dynamicTest(at + "key (APIKeyHandler) | " + kind + " | " + op.path() + " -> " + judged
                            + " (auth api-key)", () -> onThread(app.guarded("/key" + where, op, key, KEY), where)));
                    tests.add(dynamicTest(at + "anon | " + kind + " | " + op.path() + " -> " + judged + " (auth none)",
                            () -> onThread(app.guarded("/anon" + where, op, nothing, NONE), where)));
                }
                tests.add(dynamicTest(at + "basic (BasicAuthHandler, PropertyFileAuthentication) | " + kind + " | "
                        + op.path() + " -> 200, it ran, no event", () -> app.untouched("/basic" + where, op, login)));
            }
        }
        for (HandOver handOver : HAND_OVERS) {
            if (jdk.feature() < handOver.minJdk()) {
                tests.add(dynamicTest(at + "key | " + handOver.area().substring(5) + "/exec (" + handOver.how()
                        + ") on JDK " + jdk.feature() + " -> the app's 500 (needs JDK " + handOver.minJdk()
                        + "), nothing ran, no event", () -> unavailable(app, handOver)));
                continue;
            }
            String outcome = blocking ? "the agent's 403 (not the Router's 500), it did not run, blocked event"
                    : "it ran, logged event";
            tests.add(dynamicTest(at + "key | " + handOver.area().substring(5) + "/exec (" + handOver.how() + ") -> "
                    + outcome + " (auth api-key, url.path the key route's)"
                    + (handOver.otherThread() ? ", hostguard.context=propagated, submitted by the event loop" : ""),
                    () -> handedOver(app, key, handOver)));
        }
        tests.add(dynamicTest(at + "key | exec (blocking handler) queued behind a basic exec (sleep 2, still running) "
                + "in the event loop's one ordered task queue -> " + judged + " (auth api-key); the basic one ran",
                () -> queuedBehindALogin(app, key, login)));
        tests.add(dynamicTest(at + "no leak: after the key requests, the ticks outside any request (true, on the event "
                + "loop and on a worker through the same ordered queue) run, exit=0, and no event names them",
                () -> noLeak(app, "vertx-app")));
        tests.add(dynamicTest(at + "stop: no agent WARN/ERROR; no key, canary or password in the events or the log",
                app::stop));
        return dynamicContainer("mode=" + mode, tests);
    }

    /** The event of an operation on the event loop is the request's own; a blocking handler's ran on a worker. */
    private static void onThread(JsonNode event, String where) {
        String thread = event.path("thread").path("name").asText("");
        if (where.isEmpty()) {
            assertTrue(thread.matches(WORKER), () -> "a blocking handler runs on the worker pool: " + event);
        } else {
            assertTrue(thread.matches(EVENT_LOOP), () -> "not on the event loop: " + event);
            assertEquals("request", event.path("hostguard").path("context").asText(),
                    () -> "hostguard.context of an operation on the request's own event loop: " + event);
        }
    }

    /**
     * The operation ran where {@code handOver} puts it, for the key request that handed it over. Which status the
     * client gets is {@link TestAppSlot#guarded}'s: in block mode the agent's 403.
     */
    private static void handedOver(TestAppSlot app, UnaryOperator<HttpTestClient.Get> key, HandOver handOver)
            throws Exception {
        JsonNode event = app.guarded(handOver.area(), Op.EXEC, key, KEY);
        JsonNode hg = event.path("hostguard");
        assertTrue(event.path("thread").path("name").asText("").matches(handOver.threadPattern()),
                () -> "not on " + handOver.threadPattern() + ": " + event);
        if (handOver.otherThread()) {
            assertEquals("propagated", hg.path("context").asText(), () -> "hostguard.context in " + event);
            assertTrue(hg.path("submitter").asText("").matches(EVENT_LOOP),
                    () -> "hostguard.submitter is not the event loop that served the request: " + event);
        }
    }

    /** Before JDK 21 the app has no virtual-thread verticle: its own 500, nothing ran, no event. */
    private static void unavailable(TestAppSlot app, HandOver handOver) {
        app.requireGuarded();
        GuardedService service = app.service();
        Path marker = service.marker(handOver.area().substring(1).replace('/', '-') + "-unavailable");
        int before = service.events().count();
        HttpTestClient.Response response = service.withCredentials(
                service.exec(handOver.area() + "/exec", "process-builder", "touch " + marker), Credentials.API_KEY).send();
        assertEquals(500, response.status(), () -> handOver.area() + " on " + service.jdk().version() + ": " + response);
        assertTrue(response.json().path("error").asText().contains("needs JDK 21"), () -> "the reason: " + response);
        assertFalse(Files.exists(marker), "nothing should have run: " + marker);
        HandOverIT.assertNothingLogged(service, before, "for " + handOver.area() + " before JDK 21",
                handOver.area().substring(1).replace('/', '-') + "-unavailable-follow-up");
    }

    /**
     * Every blocking handler of the requests on one event loop goes through that loop's one ordered task queue, whose
     * single runner (one task of the worker pool's {@code ThreadPoolExecutor}) runs the tasks queued while it runs:
     * a Basic request's {@code sleep 2} holds it, a key request's handler queued meanwhile runs after it, on the worker
     * the Basic request handed its task to. It must still be judged as the key request's.
     */
    private static void queuedBehindALogin(TestAppSlot app, UnaryOperator<HttpTestClient.Get> key,
                                           UnaryOperator<HttpTestClient.Get> login) throws Exception {
        app.requireGuarded();
        GuardedService service = app.service();
        ProcessHandle server = service.process().handle();
        CompletableFuture<HttpTestClient.Response> holding = CompletableFuture.supplyAsync(() -> login.apply(
                service.exec("/basic/exec", "process-builder", "sleep 2")).send());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.descendants().noneMatch(p -> p.info().command().orElse("").endsWith("/sleep"))) {
            assertTrue(System.nanoTime() < deadline && !holding.isDone(),
                    () -> "the basic request's sleep never showed up as the service's child process");
            Thread.sleep(20); // poll interval of a bounded wait for the child process
        }
        app.guarded("/key", Op.EXEC, key, KEY);
        HttpTestClient.Response held = holding.get(30, TimeUnit.SECONDS);
        ProcessStartEvent.assertRan(held);
    }

    /**
     * The ticks of app {@code appName} ({@code <appName> tick <where> exit=<code> on <thread>}, or {@code ... failed
     * on ...}) after this point ran {@code true} (no failure), and no event anywhere names {@code true}.
     */
    static void noLeak(TestAppSlot app, String appName) {
        app.requireGuarded();
        GuardedService service = app.service();
        Pattern anyTick = Pattern.compile(Pattern.quote(appName) + " tick (event-loop|worker) (exit=(\\d+)|failed) on (\\S+).*");
        int from = service.process().lines().size();
        for (String where : List.of("event-loop", "worker")) {
            Pattern tick = Pattern.compile(Pattern.quote(appName) + " tick " + where + " .*");
            Matcher line = service.process().awaitLine(tick, from, TICK_WAIT);
            assertNotNull(line, () -> "no " + where + " tick within " + TICK_WAIT + ":\n" + service.process().tail());
            Matcher parsed = anyTick.matcher(line.group());
            assertTrue(parsed.matches() && "0".equals(parsed.group(3)), () -> "the " + where + " tick: " + line.group());
        }
        List<String> failed = service.process().lines().stream().map(ServiceProcess.Line::text)
                .filter(l -> anyTick.matcher(l).matches() && l.contains(" failed on ")).toList();
        assertTrue(failed.isEmpty(), () -> "ticks failed: " + failed);
        Path followUp = service.marker("tick-follow-up");
        service.events().assertNothingLoggedSince(0, "for a tick (true), outside any request",
                () -> service.exec(Credentials.NONE, "process-builder", "touch " + followUp).send(),
                EventLog.hasProcessArg(followUp.toString()),
                e -> e.path("process").path("args").toString().equals("[\"true\"]"));
    }
}
