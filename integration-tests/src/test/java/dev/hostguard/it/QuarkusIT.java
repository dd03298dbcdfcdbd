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
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Quarkus 3.33 service ({@code test-apps/quarkus}: Quarkus REST on Vert.x 4.5, run as Quarkus ships it, the
 * fast-jar {@code quarkus-app/quarkus-run.jar}, whose application and framework classes live in Quarkus'
 * {@code RunnerClassLoader}) on every JDK, in audit and block mode (one service JVM and one Docker stand-in JVM each,
 * {@code TICK_MS=200}, one event loop). The agent must see its requests, on Quarkus' worker pool (jboss-threads'
 * {@code EnhancedQueueExecutor}, not a {@code ThreadPoolExecutor}), on the event loop and wherever Quarkus hands their
 * work, and tell a client's from a person's by the {@code SecurityIdentity} Quarkus established:
 * <ul>
 *   <li>probe first: {@code /anon/exec} must be judged; if it is not, the agent does not know the server and every
 *       later case is skipped with that reason</li>
 *   <li>{@code /key} (a custom {@code HttpAuthenticationMechanism} on {@code X-Service-Key}, none of the agent's
 *       default key headers, whose identity's principal is the app's own {@code ServiceKeyPrincipal}) and
 *       {@code /anon} (Quarkus' anonymous identity): {@code exec}, {@code environ}, {@code socket} refused in block
 *       mode (the agent's 403, the operation did not happen) and logged in audit mode, {@code hostguard.auth=api-key}
 *       / {@code none}, and for {@code /key} an {@code auth_reason} naming {@code ServiceKeyPrincipal};
 *       {@code benign} runs with no event. {@code /basic} (Basic against the embedded user store, a person): every
 *       operation runs, no event. Each on the worker pool ({@code /<family>/<op>}: a {@code String} method, Quarkus'
 *       default, {@code executor-thread-<n>}) and on the event loop ({@code /<family>/event-loop/<op>},
 *       {@code @NonBlocking}: {@code hostguard.context=request} on {@code vert.x-eventloop-thread-0})</li>
 *   <li>hand-overs of a key request's {@code exec}, the exception left to propagate (Quarkus' 500 without the agent):
 *       {@code submit(...).get()} on the {@code @VirtualThreads} executor (a virtual thread on JDK 21+; on JDK 17
 *       Quarkus' fallback, Vert.x's {@code executeBlocking}), a {@code Uni} emitted on Mutiny's default worker pool:
 *       block: the agent's 403, not run, one {@code blocked} event; audit: 200, one {@code logged} event; each with
 *       {@code hostguard.context=propagated}, the thread it ran on and the event loop as the submitter (the
 *       request's own thread, which handed it to the worker pool first)</li>
 *   <li>no leak: after the key requests, the ticks that run {@code true} outside any request, on the event loop and
 *       on Quarkus' worker pool, still run ({@code exit=0}) and no event names them</li>
 * </ul>
 */
class QuarkusIT {
    private static final String TEST = QuarkusIT.class.getSimpleName();
    private static final GuardedServer SERVER = GuardedServer.QUARKUS;
    private static final List<String> MODES = List.of("audit", "block");
    private static final String ANY = RequestEventFields.ANY_KEY_FINGERPRINT;
    private static final Expected KEY = new Expected("api-key", ANY, "ServiceKeyPrincipal");
    private static final Expected NONE = new Expected("none", null, null);
    private static final String EVENT_LOOP = "vert\\.x-eventloop-thread-\\d+";
    private static final String WORKER = "executor-thread-\\d+";

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ServiceSlots SLOTS = new ServiceSlots();

    /**
     * A hand-over route under {@code /key}: the threads its work runs on and is submitted from. The submitter is the
     * thread that served the request and first handed its work over (the event loop, which hands a blocking endpoint
     * to the worker pool), also for work the worker hands over again: a hand-over of handed-over work keeps what the
     * first one captured.
     */
    private record HandOver(String area, String how, String threadPattern, String submitterPattern) {
    }

    private static List<HandOver> handOvers(Jdks.Jdk jdk) {
        return List.of(
                jdk.feature() >= 21
                        ? new HandOver("/key/virtual-thread", "@VirtualThreads executor, submit().get(): a virtual "
                                + "thread", "quarkus-virtual-thread-\\d+", EVENT_LOOP)
                        : new HandOver("/key/virtual-thread", "@VirtualThreads executor, submit().get(): on JDK "
                                + jdk.feature() + " Quarkus' fallback, Vert.x executeBlocking", WORKER, EVENT_LOOP),
                new HandOver("/key/uni-emit-on", "Uni.emitOn(Infrastructure.getDefaultWorkerPool())", WORKER,
                        EVENT_LOOP));
    }

    @TestFactory
    Stream<DynamicNode> quarkus() {
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
        tests.add(dynamicTest(at + "start the Docker stand-in, then " + SERVER.displayName() + " (quarkus-run.jar) with "
                + "-javaagent mode=" + mode + ", DOCKER_HOST on the stand-in, CANARY in its environment, TICK_MS=200",
                () -> app.start(TEST)));
        tests.add(dynamicTest(at + "probe: anon | exec (worker pool) -> " + judged + " (auth none); if not, the agent "
                + "does not know Quarkus and the cases below are skipped", () -> app.probe("/anon", nothing, NONE)));
        for (String where : List.of("", "/event-loop")) {
            String kind = where.isEmpty() ? "worker pool" : "@NonBlocking, on the event loop";
            for (Op op : Op.values()) {
                if (op == Op.BENIGN) {
                    tests.add(dynamicTest(at + "key (ServiceKeyMechanism) | " + kind + " | benign -> 200, it ran, "
                            + "no event", () -> app.untouched("/key" + where, op, key)));
                    tests.add(dynamicTest(at + "anon | " + kind + " | benign -> 200, it ran, no event",
                            () -> app.untouched("/anon" + where, op, nothing)));
                } else {
                    tests.add(dynamicTest(at + "key (ServiceKeyMechanism) | " + kind + " | " + op.path() + " -> "
                            + judged + " (auth api-key, auth_reason names ServiceKeyPrincipal)",
                            () -> onThread(app.guarded("/key" + where, op, key, KEY), where)));
                    tests.add(dynamicTest(at + "anon | " + kind + " | " + op.path() + " -> " + judged + " (auth none)",
                            () -> onThread(app.guarded("/anon" + where, op, nothing, NONE), where)));
                }
                tests.add(dynamicTest(at + "basic (Basic, embedded users) | " + kind + " | " + op.path()
                        + " -> 200, it ran, no event", () -> app.untouched("/basic" + where, op, login)));
            }
        }
        for (HandOver handOver : handOvers(jdk)) {
            String outcome = blocking ? "the agent's 403 (not Quarkus' 500), it did not run, blocked event"
                    : "it ran, logged event";
            tests.add(dynamicTest(at + "key | " + handOver.area().substring(5) + "/exec (" + handOver.how() + ") -> "
                    + outcome + " (auth api-key), hostguard.context=propagated", () -> handedOver(app, key, handOver)));
        }
        tests.add(dynamicTest(at + "no leak: after the key requests, the ticks outside any request (true, on the event "
                + "loop and on the worker pool) run, exit=0, and no event names them",
                () -> VertxIT.noLeak(app, "quarkus-app")));
        tests.add(dynamicTest(at + "stop: no agent WARN/ERROR; no key, canary or password in the events or the log",
                app::stop));
        return dynamicContainer("mode=" + mode, tests);
    }

    /** The event of an operation on the event loop is the request's own; the default endpoint's ran on a worker. */
    private static void onThread(JsonNode event, String where) {
        String thread = event.path("thread").path("name").asText("");
        if (where.isEmpty()) {
            assertTrue(thread.matches(WORKER), () -> "Quarkus runs a String endpoint on its worker pool: " + event);
        } else {
            assertTrue(thread.matches(EVENT_LOOP), () -> "not on the event loop: " + event);
            assertEquals("request", event.path("hostguard").path("context").asText(),
                    () -> "hostguard.context of an operation on the request's own event loop: " + event);
        }
    }

    /** The operation ran where {@code handOver} puts it, for the key request whose thread handed it over. */
    private static void handedOver(TestAppSlot app, UnaryOperator<HttpTestClient.Get> key, HandOver handOver)
            throws Exception {
        JsonNode event = app.guarded(handOver.area(), Op.EXEC, key, KEY);
        JsonNode hg = event.path("hostguard");
        assertTrue(event.path("thread").path("name").asText("").matches(handOver.threadPattern()),
                () -> "not on " + handOver.threadPattern() + ": " + event);
        assertEquals("propagated", hg.path("context").asText(), () -> "hostguard.context in " + event);
        assertTrue(hg.path("submitter").asText("").matches(handOver.submitterPattern()),
                () -> "hostguard.submitter is not " + handOver.submitterPattern() + ": " + event);
    }
}
