package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostguard.it.TestAppSlot.Expected;
import dev.hostguard.it.TestAppSlot.Op;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that is no servlet container: the Micronaut 4 app ({@code test-apps/micronaut}: Micronaut 4.10 on its own
 * Netty HTTP server, micronaut-security 4.15), whose handlers run on a Netty event loop, or wherever
 * {@code @ExecuteOn} sends them, long after the Netty read that brought the request in. On every JDK, in audit and
 * block mode (one service JVM, with one event loop, and one Docker stand-in JVM each):
 * <ul>
 *   <li>on the event loop: {@code /key} (the app's own {@code AuthenticationFetcher} on {@code X-Service-Key}, none of
 *       the agent's default key headers, establishing its own {@code ServiceKeyAuthentication}) and {@code /anon}
 *       ({@code @Secured(IS_ANONYMOUS)}, nothing established): {@code exec}, {@code environ}, {@code socket} refused in
 *       block mode (the agent's 403 naming the event, marker absent, the environment's bytes not read, the stand-in
 *       never saw the connection) and logged in audit mode (they ran), {@code hostguard.auth} {@code api-key} (an
 *       {@code auth_reason} naming {@code ServiceKeyAuthentication}) or {@code none}, {@code hostguard.context}
 *       {@code request}, {@code thread.name} the event loop; {@code benign} runs with no event. {@code /basic} (HTTP
 *       Basic, micronaut-security's {@code BasicAuthAuthenticationFetcher} against the app's in-memory
 *       {@code AuthenticationProvider}: a person's login): every operation runs, no event</li>
 *   <li>the same handlers under {@code @ExecuteOn(TaskExecutors.BLOCKING)} ({@code /<area>/blocking}; JDK 17: the
 *       {@code io} pool, JDK 21+: a virtual thread per request): judged the same, {@code hostguard.context}
 *       {@code request} (the handler itself runs there, with Micronaut's current request set), {@code thread.name}
 *       that executor's</li>
 *   <li>work a key request hands over, {@code /key/future/exec} ({@code CompletableFuture.supplyAsync} on the app's
 *       Micronaut-managed {@code work} executor, then {@code join()}) and {@code /key/mono/exec} (a
 *       {@code Mono.fromCallable(...).subscribeOn(Schedulers.boundedElastic())} the controller returns), the exception
 *       left to propagate: block: the agent's 403 (not Micronaut's 500), marker absent, one {@code blocked} event;
 *       audit: 200 and one {@code logged} event; {@code hostguard.context=propagated}, on the worker, submitted by the
 *       event loop</li>
 *   <li>work a key request hands to Netty's executors: {@code /key/event-loop-execute/exec} (the request channel's
 *       event loop, {@code execute} from the loop itself), {@code /key/event-loop-schedule/exec}
 *       ({@code schedule(..., 10 ms)} from the loop: Netty's scheduled queue, no {@code execute}),
 *       {@code /key/event-executor/exec} (the app's {@code DefaultEventExecutor}, whose thread starts inside that
 *       request), each answered through a {@code CompletableFuture} the task completes: judged as above,
 *       {@code hostguard.context=propagated}, on that executor, submitted by the event loop. Then a Basic request's
 *       same three hand-overs run untouched (a person's hand-over captures nothing, and neither executor carries the
 *       key request into later tasks)</li>
 *   <li>no leak: one event loop serves every request, so each request follows others on the same thread; explicitly,
 *       after a key request on it, a Basic request on the same thread runs with no event and an anonymous one is
 *       {@code none}</li>
 * </ul>
 * The first guarded case ({@code /anon/exec} on the event loop) is a probe: when the agent does not see Micronaut
 * requests at all, it fails and every later case of that service is skipped with its reason, instead of each waiting
 * for an event that never comes. The raw service key, the canary of the environment and the user's password appear in
 * no event and no log.
 */
class MicronautIT {
    private static final String TEST = MicronautIT.class.getSimpleName();
    private static final GuardedServer SERVER = GuardedServer.MICRONAUT;
    private static final List<String> MODES = List.of("audit", "block");
    private static final Expected SERVICE_KEY =
            new Expected("api-key", RequestEventFields.ANY_KEY_FINGERPRINT, "ServiceKeyAuthentication");
    private static final Expected NONE = new Expected("none", null, null);
    /** The app's answer names the thread its operation ran on (where it answered at all). */
    private static final String THREAD_HEADER = "X-Operation-Thread";
    /** The server's Netty event loops ({@code default-nioEventLoopGroup-<group>-<n>}). */
    private static final Pattern EVENT_LOOP = Pattern.compile("default-\\w*EventLoopGroup-\\d+-\\d+");
    /** {@code TaskExecutors.BLOCKING} before JDK 21: the cached {@code io} pool. */
    private static final Pattern IO_POOL = Pattern.compile("io-executor-thread-\\d+");
    /** {@code TaskExecutors.BLOCKING} on JDK 21+: a virtual thread per task. */
    private static final Pattern VIRTUAL = Pattern.compile("virtual-executor-.+");
    /** The app's own Netty {@code DefaultEventExecutor}. */
    private static final Pattern APP_EXECUTOR = Pattern.compile("app-executor-\\d+-\\d+");

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ServiceSlots SLOTS = new ServiceSlots();

    /** How a request authenticates ({@code area} its routes), and, for a client's, what its events must say. */
    private enum Mechanism {
        KEY("/key", "key (X-Service-Key -> ServiceKeyAuthentication)", SERVICE_KEY),
        ANON("/anon", "anon (@Secured(IS_ANONYMOUS), nothing established)", NONE),
        BASIC("/basic", "basic (HTTP Basic -> ServerAuthentication of the AuthenticationProvider)", null);

        private final String area;
        private final String display;
        /** Null for a person's login: nothing it does is a finding. */
        private final Expected expected;

        Mechanism(String area, String display, Expected expected) {
            this.area = area;
            this.display = display;
            this.expected = expected;
        }
    }

    /** One service JVM, and why the agent does not guard it, once the probe found out. */
    private static final class Fixture {
        private final TestAppSlot app;
        private volatile String notGuarded;

        Fixture(TestAppSlot app) {
            this.app = app;
        }

        UnaryOperator<HttpTestClient.Get> credentials(Mechanism mechanism) {
            return switch (mechanism) {
                case KEY -> get -> app.service().withCredentials(get, Credentials.API_KEY);
                case ANON -> get -> get;
                case BASIC -> get -> app.service().withCredentials(get, Credentials.USER_LOGIN);
            };
        }

        /** The probe: runs {@code body}, and remembers its failure for the cases after it. */
        Executable probe(Executable body) {
            return () -> {
                try {
                    body.execute();
                } catch (AssertionError e) {
                    notGuarded = e.getMessage();
                    throw e;
                }
            };
        }

        /** A case after the probe: skipped with the probe's failure, if it failed. */
        Executable afterProbe(Executable body) {
            return () -> {
                if (notGuarded != null) {
                    Assumptions.abort("the probe found that the agent does not guard this server's requests: "
                            + notGuarded);
                }
                body.execute();
            };
        }
    }

    @TestFactory
    Stream<DynamicNode> micronaut() {
        return Jdks.all().stream().map(jdk -> dynamicContainer("JDK " + jdk.version(),
                MODES.stream().map(mode -> forService(jdk, mode))));
    }

    private DynamicContainer forService(Jdks.Jdk jdk, String mode) {
        // one event loop: every request follows others on the same thread, the place where a scope left open leaks
        Fixture fx = new Fixture(new TestAppSlot(SLOTS, TEST, jdk, SERVER, mode, tmp.resolve(jdk.label() + "-" + mode),
                true, b -> b.env("EVENT_LOOP_THREADS", "1")));
        TestAppSlot app = fx.app;
        String at = app.label();
        boolean blocking = mode.equals("block");
        Pattern blockingPool = jdk.feature() >= 21 ? VIRTUAL : IO_POOL;
        String blockingPoolName = jdk.feature() >= 21 ? "a virtual thread" : "the io pool";
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "start the Docker stand-in, then " + SERVER.displayName() + " with -javaagent mode="
                + mode + ", DOCKER_HOST on the stand-in, CANARY in its environment, one event loop",
                () -> app.start(TEST)));
        tests.add(dynamicTest(at + "probe: " + Mechanism.ANON.display + " | exec on the event loop -> "
                + outcome(blocking, NONE) + ", hostguard.context=request", fx.probe(() ->
                        judged(fx, Mechanism.ANON.area, Op.EXEC, Mechanism.ANON, "request", EVENT_LOOP))));
        for (Mechanism mechanism : Mechanism.values()) {
            for (Op op : Op.values()) {
                if (mechanism == Mechanism.ANON && op == Op.EXEC) {
                    continue;  // the probe
                }
                tests.add(opCase(fx, at, blocking, mechanism, mechanism.area, op, "the event loop", EVENT_LOOP));
            }
        }
        for (Mechanism mechanism : Mechanism.values()) {
            for (Op op : Op.values()) {
                if (mechanism == Mechanism.ANON && op != Op.EXEC) {
                    continue;  // the key's cases cover the other operations off the event loop
                }
                tests.add(opCase(fx, at, blocking, mechanism, mechanism.area + "/blocking", op,
                        "@ExecuteOn(BLOCKING), " + blockingPoolName, blockingPool));
            }
        }
        String handedOver = blocking ? "the agent's 403 (not a 500), it did not run, blocked event"
                : "it ran, logged event";
        tests.add(dynamicTest(at + Mechanism.KEY.display + " | future/exec (CompletableFuture.supplyAsync on the "
                + "work executor, .join(); the exception propagates) -> " + handedOver + " (auth api-key), "
                + "hostguard.context=propagated, on work-executor-thread-<n>, submitted by the event loop",
                fx.afterProbe(() -> handedOver(fx, "/key/future", "work-executor-thread-"))));
        tests.add(dynamicTest(at + Mechanism.KEY.display + " | mono/exec (Mono.fromCallable(...).subscribeOn("
                + "boundedElastic()), returned; the error propagates) -> " + handedOver + " (auth api-key), "
                + "hostguard.context=propagated, on boundedElastic-<n>, submitted by the event loop",
                fx.afterProbe(() -> handedOver(fx, "/key/mono", "boundedElastic-"))));
        tests.add(dynamicTest(at + Mechanism.KEY.display + " | event-loop-execute/exec (the channel's event loop: "
                + "eventLoop().execute from the loop itself, a CompletableFuture answers) -> " + handedOver
                + " (auth api-key), hostguard.context=propagated, on the event loop, submitted by it",
                fx.afterProbe(() -> handedOver(fx, "/key/event-loop-execute", EVENT_LOOP))));
        tests.add(dynamicTest(at + Mechanism.KEY.display + " | event-loop-schedule/exec (eventLoop().schedule(..., "
                + "10 ms) from the loop itself: the scheduled queue, no execute()) -> " + handedOver
                + " (auth api-key), hostguard.context=propagated, on the event loop, submitted by it",
                fx.afterProbe(() -> handedOver(fx, "/key/event-loop-schedule", EVENT_LOOP))));
        tests.add(dynamicTest(at + Mechanism.KEY.display + " | event-executor/exec (the app's DefaultEventExecutor, "
                + "whose thread starts inside this request) -> " + handedOver + " (auth api-key), "
                + "hostguard.context=propagated, on app-executor-<n>-1, submitted by the event loop",
                fx.afterProbe(() -> handedOver(fx, "/key/event-executor", APP_EXECUTOR))));
        tests.add(dynamicTest(at + "no leak through Netty's executors: after the key's, " + Mechanism.BASIC.display
                + " | event-loop-execute/exec, event-loop-schedule/exec, event-executor/exec -> 200, each ran on "
                + "that executor, no event (a person's hand-over captures nothing; neither the event loop nor the "
                + "executor whose thread was born in the key request carries it into later tasks)",
                fx.afterProbe(() -> personHandOvers(fx))));
        tests.add(dynamicTest(at + "no leak: key | exec, then on the same event-loop thread basic | exec -> 200, it "
                + "ran, no event, and anon | exec -> " + outcome(blocking, NONE), fx.afterProbe(() -> noLeak(fx))));
        tests.add(dynamicTest(at + "stop: no agent WARN/ERROR; no key, canary or password in the events or the log",
                app::stop));
        return dynamicContainer("mode=" + mode, tests);
    }

    /** {@code GET <area>/<op>} with the mechanism's credentials, on {@code where} ({@code thread} its names). */
    private DynamicNode opCase(Fixture fx, String at, boolean blocking, Mechanism mechanism, String area, Op op,
                               String where, Pattern thread) {
        Expected expected = mechanism.expected;
        String name = at + mechanism.display + " | " + area.substring(1) + "/" + op.path() + " (" + where + ") -> ";
        if (expected == null || op == Op.BENIGN) {
            return dynamicTest(name + "200, it ran, no event", fx.afterProbe(() -> {
                HttpTestClient.Response response = fx.app.untouched(area, op, fx.credentials(mechanism));
                assertThread(thread, response.headers().firstValue(THREAD_HEADER).orElse(""),
                        "the operation's thread (" + THREAD_HEADER + ")", response);
            }));
        }
        return dynamicTest(name + outcome(blocking, expected) + ", hostguard.context=request",
                fx.afterProbe(() -> judged(fx, area, op, mechanism, "request", thread)));
    }

    /**
     * A guarded request ({@link TestAppSlot#guarded}) whose event was written in {@code context}, on a thread named
     * as {@code thread} says.
     */
    private static JsonNode judged(Fixture fx, String area, Op op, Mechanism mechanism, String context,
                                   Pattern thread) throws Exception {
        JsonNode event = fx.app.guarded(area, op, fx.credentials(mechanism), mechanism.expected);
        assertEquals(context, event.path("hostguard").path("context").asText(), () -> "hostguard.context in " + event);
        assertThread(thread, event.path("thread").path("name").asText(""), "thread.name", event);
        return event;
    }

    /**
     * The operation ran on the worker the key request handed it to ({@code workerPrefix}), for that request:
     * {@code propagated}, submitted by the event loop that ran the handler. Which status the client gets is
     * {@link TestAppSlot#guarded}'s: in block mode the agent's 403.
     */
    private static void handedOver(Fixture fx, String area, String workerPrefix) throws Exception {
        JsonNode event = fx.app.guarded(area, Op.EXEC, fx.credentials(Mechanism.KEY), SERVICE_KEY);
        JsonNode hg = event.path("hostguard");
        assertEquals("propagated", hg.path("context").asText(), () -> "hostguard.context in " + event);
        assertTrue(event.path("thread").path("name").asText("").startsWith(workerPrefix),
                () -> "not on " + workerPrefix + "<n>: " + event);
        assertThread(EVENT_LOOP, hg.path("submitter").asText(""), "hostguard.submitter", event);
    }

    /** As {@link #handedOver(Fixture, String, String)}, on an executor whose threads are named as {@code thread}. */
    private static void handedOver(Fixture fx, String area, Pattern thread) throws Exception {
        JsonNode event = fx.app.guarded(area, Op.EXEC, fx.credentials(Mechanism.KEY), SERVICE_KEY);
        JsonNode hg = event.path("hostguard");
        assertEquals("propagated", hg.path("context").asText(), () -> "hostguard.context in " + event);
        assertThread(thread, event.path("thread").path("name").asText(""), "thread.name", event);
        assertThread(EVENT_LOOP, hg.path("submitter").asText(""), "hostguard.submitter", event);
    }

    /** A Basic request's hand-overs to Netty's executors run untouched, on those executors. */
    private static void personHandOvers(Fixture fx) throws Exception {
        for (String area : List.of("/basic/event-loop-execute", "/basic/event-loop-schedule")) {
            assertThread(EVENT_LOOP, fx.app.untouched(area, Op.EXEC, fx.credentials(Mechanism.BASIC)).headers()
                    .firstValue(THREAD_HEADER).orElse(""), area + ": the operation's thread", area);
        }
        assertThread(APP_EXECUTOR, fx.app.untouched("/basic/event-executor", Op.EXEC,
                fx.credentials(Mechanism.BASIC)).headers().firstValue(THREAD_HEADER).orElse(""),
                "/basic/event-executor: the operation's thread", "/basic/event-executor");
    }

    /**
     * The key request's scope ends with it: the next requests on the same event-loop thread are judged by their own
     * credentials (a person's Basic login: untouched; nothing: {@code none}, no key).
     */
    private static void noLeak(Fixture fx) throws Exception {
        JsonNode keyEvent = judged(fx, Mechanism.KEY.area, Op.EXEC, Mechanism.KEY, "request", EVENT_LOOP);
        String loop = keyEvent.path("thread").path("name").asText();
        HttpTestClient.Response basic = fx.app.untouched(Mechanism.BASIC.area, Op.EXEC,
                fx.credentials(Mechanism.BASIC));
        assertEquals(loop, basic.headers().firstValue(THREAD_HEADER).orElse(""),
                () -> "the Basic request did not run on the key request's event loop: " + basic.headers().map());
        JsonNode anonEvent = judged(fx, Mechanism.ANON.area, Op.EXEC, Mechanism.ANON, "request", EVENT_LOOP);
        assertEquals(loop, anonEvent.path("thread").path("name").asText(),
                () -> "the anonymous request did not run on the key request's event loop: " + anonEvent);
    }

    private static void assertThread(Pattern expected, String actual, String what, Object context) {
        assertTrue(expected.matcher(actual).matches(),
                () -> what + " is '" + actual + "', not " + expected.pattern() + ": " + context);
    }

    private static String outcome(boolean blocking, Expected expected) {
        return (blocking ? "403, it did not happen, blocked event" : "it ran, logged event") + " (auth "
                + expected.auth() + (expected.reasonNames() == null ? "" : ", auth_reason names "
                + expected.reasonNames()) + ")";
    }
}
