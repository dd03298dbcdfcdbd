package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostguard.it.TestAppSlot.Expected;
import dev.hostguard.it.TestAppSlot.Op;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * Undertow on its own {@code HttpHandler} API, no servlet ({@code test-apps/undertow}: Undertow 2.4, one I/O thread,
 * four XNIO worker threads), on every JDK, in audit and block mode (one service JVM and one Docker stand-in JVM
 * each):
 * <ul>
 *   <li>{@code /key} (the app's own {@code AuthenticationMechanism} on {@code X-Service-Key}, whose account's
 *       principal is its {@code ServiceKeyPrincipal}): {@code exec}, {@code environ}, {@code socket} refused in block
 *       mode (the agent's 403, marker absent, the environment's bytes not read, the stand-in never saw the
 *       connection) and logged in audit mode, {@code hostguard.auth=api-key}, an {@code auth_reason} naming
 *       {@code ServiceKeyPrincipal}; {@code benign} runs with no event; {@code /anon} likewise as {@code none}</li>
 *   <li>{@code /basic} (Undertow's {@code BasicAuthenticationMechanism} against an in-memory
 *       {@code IdentityManager}: mechanism {@code BASIC}): every operation runs, no event</li>
 *   <li>hand-overs of a key request: {@code /key/worker/exec} (the XNIO worker as an {@code ExecutorService}:
 *       {@code submit}, then {@code get} on a worker thread; its pool is jboss-threads' {@code EnhancedQueueExecutor},
 *       not a JDK {@code ThreadPoolExecutor}): block: the agent's 403, audit: 200; and {@code /key/dispatch/exec}
 *       ({@code exchange.dispatch(Runnable)} from the I/O thread; the runnable runs on a worker after the handler
 *       returned and answers itself): block: the app's own 500 naming the event (the runnable catches the refusal
 *       and answers before anything of the agent could), audit: 200. Each: one event, {@code hostguard.context=
 *       propagated}, run on an {@code XNIO-1 task-<n>} thread, submitted by another thread (a worker, or the I/O
 *       thread)</li>
 *   <li>the event loop: {@code /key/io/exec} runs on the I/O thread itself ({@code api-key}), then
 *       {@code /anon/io/exec} on the same thread is {@code none} with no key; the app runs {@code true} on that I/O
 *       thread every 200 ms, scheduled at start-up outside any request ({@code IO_TICK_MS}): a tick after the key
 *       request runs ({@code exit=0}) and no event ever names {@code true}</li>
 * </ul>
 * Against an agent that does not know Undertow every request is outside any request: the guarded cases find no
 * event, and the untouched ones no follow-up event (the follow-up is an {@code /anon} request).
 */
class UndertowIT {
    private static final String TEST = UndertowIT.class.getSimpleName();
    private static final GuardedServer SERVER = GuardedServer.UNDERTOW;
    private static final List<String> MODES = List.of("audit", "block");
    private static final Expected SERVICE_KEY =
            new Expected("api-key", RequestEventFields.ANY_KEY_FINGERPRINT, "ServiceKeyPrincipal");
    private static final Expected NONE = new Expected("none", null, null);
    private static final String KEY = "key (X-Service-Key -> SERVICE_KEY mechanism, ServiceKeyPrincipal)";
    private static final String IO_THREAD = "XNIO-1 I/O-1";
    private static final String WORKER = "XNIO-1 task-\\d+";
    private static final Pattern TICK = Pattern.compile("undertow-app io tick .*");
    private static final Pattern TICK_RAN = Pattern.compile("undertow-app io tick exit=0 on (.+)");
    private static final Duration TICK_WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ServiceSlots SLOTS = new ServiceSlots();

    @TestFactory
    Stream<DynamicNode> undertow() {
        return Jdks.all().stream().map(jdk -> dynamicContainer("JDK " + jdk.version(),
                MODES.stream().map(mode -> forService(jdk, mode))));
    }

    private DynamicContainer forService(Jdks.Jdk jdk, String mode) {
        Path dir = tmp.resolve(jdk.label() + "-" + mode);
        TestAppSlot app = new TestAppSlot(SLOTS, TEST, jdk, SERVER, mode, dir, true,
                GuardedService.withTick(dir, "IO_TICK_MS", 200));
        String at = app.label();
        boolean blocking = mode.equals("block");
        String outcome = blocking ? "403, it did not happen, blocked event" : "it ran, logged event";
        UnaryOperator<HttpTestClient.Get> key = get -> app.service().withCredentials(get, Credentials.API_KEY);
        UnaryOperator<HttpTestClient.Get> login = get -> app.service().withCredentials(get, Credentials.USER_LOGIN);
        UnaryOperator<HttpTestClient.Get> nothing = get -> get;
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "start the Docker stand-in, then " + SERVER.displayName() + " with -javaagent mode="
                + mode + ", DOCKER_HOST on the stand-in, CANARY in its environment, IO_TICK_MS=200",
                () -> app.start(TEST)));
        for (Op op : Op.values()) {
            if (op == Op.BENIGN) {
                tests.add(dynamicTest(at + KEY + " | benign -> 200, it ran, no event",
                        () -> app.untouched("/key", op, key)));
            } else {
                tests.add(dynamicTest(at + KEY + " | " + op.path() + " -> " + outcome
                        + " (auth api-key, auth_reason names ServiceKeyPrincipal)",
                        () -> app.guarded("/key", op, key, SERVICE_KEY)));
            }
        }
        for (Op op : Op.values()) {
            if (op == Op.BENIGN) {
                tests.add(dynamicTest(at + "anon (no security handler) | benign -> 200, it ran, no event",
                        () -> app.untouched("/anon", op, nothing)));
            } else {
                tests.add(dynamicTest(at + "anon (no security handler) | " + op.path() + " -> " + outcome
                        + " (auth none, no key)", () -> app.guarded("/anon", op, nothing, NONE)));
            }
        }
        for (Op op : Op.values()) {
            tests.add(dynamicTest(at + "basic (BasicAuthenticationMechanism, IdentityManager: mechanism BASIC) | "
                    + op.path() + " -> 200, it ran, no event", () -> app.untouched("/basic", op, login)));
        }
        tests.add(dynamicTest(at + "key | worker/exec (XnioWorker.submit from a worker thread, Future.get; the "
                + "exception propagates) -> " + (blocking ? "the agent's 403 (not Undertow's 500), it did not run, "
                + "blocked event" : "it ran, logged event") + " (auth api-key), hostguard.context=propagated, on "
                + "another XNIO worker", () -> {
                    JsonNode event = app.guarded("/key/worker", Op.EXEC, key, SERVICE_KEY);
                    assertPropagated(event, WORKER);
                }));
        tests.add(dynamicTest(at + "key | dispatch/exec (exchange.dispatch(Runnable) on the I/O thread; the runnable "
                + "answers itself) -> " + (blocking ? "the app's 500 naming the event, it did not run, blocked event"
                : "it ran, logged event") + " (auth api-key), hostguard.context=propagated, submitted by the I/O "
                + "thread", () -> {
                    JsonNode event = blocking ? dispatchedAndRefused(app) : app.guarded("/key/dispatch", Op.EXEC, key,
                            SERVICE_KEY);
                    assertPropagated(event, IO_THREAD);
                }));
        tests.add(dynamicTest(at + "key | io/exec (on the I/O thread itself) -> " + outcome + " (auth api-key), "
                + "thread " + IO_THREAD, () -> {
                    JsonNode event = app.guarded("/key/io", Op.EXEC, key, SERVICE_KEY);
                    assertEquals(IO_THREAD, event.path("thread").path("name").asText(), () -> "thread.name: " + event);
                }));
        tests.add(dynamicTest(at + "anon | io/exec, on the same I/O thread after the key request -> " + outcome
                + " (auth none, no key: nothing of the key request stayed on the event loop)", () -> {
                    JsonNode event = app.guarded("/anon/io", Op.EXEC, nothing, NONE);
                    assertEquals(IO_THREAD, event.path("thread").path("name").asText(), () -> "thread.name: " + event);
                }));
        tests.add(dynamicTest(at + "no leak: the I/O thread's tick (true, scheduled at start-up outside any request) "
                + "runs after the key request on that thread, exit=0, and no event names it",
                () -> noLeak(app.service())));
        tests.add(dynamicTest(at + "stop: no agent WARN/ERROR; no key, canary or password in the events or the log",
                app::stop));
        return dynamicContainer("mode=" + mode, tests);
    }

    /** The event is a hand-over's: propagated, run on a worker ({@value #WORKER}), submitted by another thread. */
    private static void assertPropagated(JsonNode event, String submitter) {
        JsonNode hg = event.path("hostguard");
        assertEquals("propagated", hg.path("context").asText(), () -> "hostguard.context in " + event);
        String thread = event.path("thread").path("name").asText("");
        assertTrue(thread.matches(WORKER), () -> "not run on an XNIO worker thread: " + event);
        assertTrue(hg.path("submitter").asText("").matches(submitter),
                () -> "hostguard.submitter is not " + submitter + ": " + event);
        assertNotEquals(thread, hg.path("submitter").asText(), () -> "submitted and run on one thread: " + event);
    }

    /**
     * Block mode, {@code /key/dispatch/exec}: the command did not run, one {@code blocked} event, and the client got
     * the runnable's own 500, whose message is the refusal's and so names the event.
     */
    private static JsonNode dispatchedAndRefused(TestAppSlot app) {
        GuardedService service = app.service();
        String route = "/key/dispatch/exec";
        Path marker = service.marker("key-dispatch-exec");
        int before = service.events().count();
        HttpTestClient.Response response = service.withCredentials(
                service.exec(route, "process-builder", "touch " + marker), Credentials.API_KEY).send();
        JsonNode event = GuardAssertions.assertRefused(service, "response " + response, marker, before,
                new ProcessStartEvent(true, service.mode(), "api-key", route, List.of("touch", marker.toString()),
                        service.markers(), RequestEventFields.ANY_KEY_FINGERPRINT, SERVER.appPackage()));
        SERVICE_KEY.assertReason(event);
        assertEquals(500, response.status(), () -> "expected the runnable's own 500, got " + response);
        String eventId = event.path("event").path("id").asText();
        assertTrue(response.body().contains(eventId), () -> "the 500 does not name event " + eventId + ": " + response);
        service.process().assertNoUnexpectedAgentProblems();
        return event;
    }

    /**
     * A tick that started after the key request on the I/O thread ran {@code true} there and succeeded; no tick
     * failed; and once a later request's event is written, no event names {@code true}. A tick line printed after
     * the requests before this test were answered is a tick that started after them: the ticks and the requests
     * share the one I/O thread.
     */
    private static void noLeak(GuardedService service) {
        int linesBefore = service.process().lines().size();
        Matcher line = service.process().awaitLine(TICK, linesBefore, TICK_WAIT);
        assertNotNull(line, () -> "no I/O-thread tick within " + TICK_WAIT + ":\n" + service.process().tail());
        Matcher tick = TICK_RAN.matcher(line.group());
        assertTrue(tick.matches(), () -> "the tick's true did not run: " + line.group());
        assertEquals(IO_THREAD, tick.group(1), "the tick ran on another thread than the key request's I/O thread");
        List<String> failed = service.process().lines().stream().map(ServiceProcess.Line::text)
                .filter(l -> l.startsWith("undertow-app io tick failed")).toList();
        assertTrue(failed.isEmpty(), () -> "I/O-thread ticks failed: " + failed);
        Path followUp = service.marker("tick-follow-up");
        service.events().assertNothingLoggedSince(0, "for the I/O thread's tick (true), outside any request",
                () -> service.exec(Credentials.NONE, "process-builder", "touch " + followUp).send(),
                EventLog.hasProcessArg(followUp.toString()),
                e -> e.path("process").path("args").toString().equals("[\"true\"]"));
    }
}
