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
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reactive server: the Spring WebFlux app ({@code test-apps/spring-webflux}: Spring Boot 3.5, Reactor Netty, Spring
 * Security WebFlux) serves the same four host operations ({@link Op}), and the agent must see its requests, tell a
 * client's from a person's by what Spring Security established, and follow the request's work across Reactor's
 * schedulers. On every JDK, in audit and block mode (one service JVM and one Docker stand-in JVM each, every Reactor
 * Netty event loop running {@code true} every {@value #LOOP_TICK_MS} ms outside any request):
 * <ul>
 *   <li>{@code /key} (the app's own {@code AuthenticationWebFilter}: a {@code ServerAuthenticationConverter} on
 *       {@code X-Service-Key}, none of the agent's default key headers, and a {@code ReactiveAuthenticationManager}
 *       producing its own {@code ServiceKeyAuthentication}; no request cache, so the controller runs on the event loop
 *       that read the request): {@code exec}, {@code environ}, {@code socket} refused in block mode (the agent's 403,
 *       marker absent, the environment's bytes not read, the stand-in never saw the connection) and logged in audit
 *       mode, {@code hostguard.auth=api-key}, {@code auth_reason} naming {@code ServiceKeyAuthentication};
 *       {@code exec}'s event says it ran on a {@code reactor-http-*} event loop as the request itself
 *       ({@code hostguard.context=request}); {@code benign} runs with no event</li>
 *   <li>{@code /anon} (open, Spring's anonymous authentication; Spring Security's default request cache looks the
 *       session up, and WebFlux's in-memory session store moves the chain to {@code parallel-<n>}): likewise with
 *       {@code none}; {@code exec}'s event says it ran on {@code parallel-<n>} as the request itself
 *       ({@code request}: WebFlux invoked the controller there, with the exchange)</li>
 *   <li>{@code /basic} (HTTP Basic against {@code MapReactiveUserDetailsService}; the password is checked on
 *       {@code boundedElastic}, the controller runs on {@code parallel-<n>}): every operation runs, no event</li>
 *   <li>{@code /form} (Spring Security's {@code formLogin()}: {@code POST /login} once, then the {@code SESSION}
 *       cookie; every later request's {@code SecurityContext} is loaded from the {@code WebSession} by
 *       {@code WebSessionServerSecurityContextRepository}, on {@code parallel-<n>} after the session store's
 *       hand-over): every operation runs, no event, also the {@code publishOn(boundedElastic)} in the Mono its
 *       controller returns, and {@code /anon/exec} with that cookie (the anonymous filter asks for the context, so
 *       Spring loads the login there too); a session id the store does not know (a forged cookie, an expired
 *       session's) on {@code /anon/exec}: refused or logged as {@code none}; the login's cookie on
 *       {@code /form/open/exec} ({@code permitAll()} in a chain without {@code anonymous()}: nothing asks for the
 *       context, Spring never loads it): refused or logged as {@code none}, what HostGuard does not see</li>
 *   <li>functional routes ({@code RouterFunctions}): {@code /fn/key/exec} as {@code /key/exec} (on the event loop,
 *       {@code request}), {@code /fn/anon/exec} as {@code /anon/exec}</li>
 *   <li>a request with a body, {@code POST /key/body/exec} (a form bound by {@code @ModelAttribute}: WebFlux invokes
 *       the controller only once the body has arrived, from the event loop's read of its last chunk): refused or
 *       logged as the request itself, {@code http.request.method=POST}; {@code POST /anon/body/exec}, whose body is
 *       read after the session store's hand-over (mostly delivered by a Netty task the {@code parallel} thread
 *       submitted to the event loop): refused or logged as {@code none}</li>
 *   <li>Reactor hand-overs on {@code /key}, each waited for by the reactive chain: {@code publishOn(boundedElastic)},
 *       {@code Mono.fromCallable(...).subscribeOn(boundedElastic)}, {@code subscribeOn(parallel)}: block: the agent's
 *       403 (not Spring's 500 for the exception), marker absent, one {@code blocked} event; audit: 200, one
 *       {@code logged} event; each {@code hostguard.context=propagated} on the scheduler's thread, handed over by the
 *       event loop</li>
 *   <li>the same hand-over in a controller that runs on {@code parallel-<n>}: {@code /anon/publish-on/exec} judged
 *       as {@code none}, {@code propagated} on {@code boundedElastic}, submitted by the {@code parallel} thread (the
 *       hand-overs before it, made before Spring Security had logged anyone in, are not what it is judged by);
 *       {@code /basic/publish-on/exec} untouched</li>
 *   <li>no leak: after all that, every event loop's tick ({@code true}, outside any request) runs ({@code exit=0}) and
 *       no event names it, although those loops served API-key requests (skipped when no API-key event ran on an
 *       event loop: then nothing shows which loops served one)</li>
 * </ul>
 */
class SpringWebFluxIT {
    private static final String TEST = SpringWebFluxIT.class.getSimpleName();
    private static final GuardedServer SERVER = GuardedServer.SPRING_WEBFLUX;
    private static final List<String> MODES = List.of("audit", "block");
    private static final String ANY = RequestEventFields.ANY_KEY_FINGERPRINT;
    private static final Expected SERVICE_KEY = new Expected("api-key", ANY, "ServiceKeyAuthentication");
    private static final Expected ANONYMOUS = new Expected("none", null, null);
    /** Reactor Netty's event loops: {@code reactor-http-epoll-<n>} on Linux (native transport), else {@code -nio-}. */
    private static final Pattern EVENT_LOOP = Pattern.compile("reactor-http-(epoll|nio|kqueue)-\\d+");
    private static final Pattern PARALLEL = Pattern.compile("parallel-\\d+");
    private static final Pattern BOUNDED_ELASTIC = Pattern.compile("boundedElastic-\\d+");
    private static final long LOOP_TICK_MS = 500;
    private static final Pattern TICKS_SCHEDULED =
            Pattern.compile("spring-webflux-app loop ticks every \\d+ ms on (\\d+) event loops");
    private static final Pattern TICK = Pattern.compile("spring-webflux-app loop tick on (\\S+): (.*)");
    private static final Duration TICK_WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ServiceSlots SLOTS = new ServiceSlots();

    /** A Reactor hand-over route on {@code /key} and the threads its work runs on. */
    private enum HandOver {
        PUBLISH_ON("/key/publish-on", "Mono.just(params).publishOn(Schedulers.boundedElastic()).map(...)",
                BOUNDED_ELASTIC),
        FROM_CALLABLE("/key/from-callable", "Mono.fromCallable(...).subscribeOn(Schedulers.boundedElastic())",
                BOUNDED_ELASTIC),
        PARALLEL_SCHEDULER("/key/parallel", "Mono.fromCallable(...).subscribeOn(Schedulers.parallel())", PARALLEL);

        private final String area;
        private final String idiom;
        private final Pattern worker;

        HandOver(String area, String idiom, Pattern worker) {
            this.area = area;
            this.idiom = idiom;
            this.worker = worker;
        }
    }

    @TestFactory
    Stream<DynamicNode> springWebFlux() {
        return Jdks.all().stream().map(jdk -> dynamicContainer("JDK " + jdk.version(),
                MODES.stream().map(mode -> forService(jdk, mode))));
    }

    private DynamicContainer forService(Jdks.Jdk jdk, String mode) {
        Path dir = tmp.resolve(jdk.label() + "-" + mode);
        TestAppSlot app = new TestAppSlot(SLOTS, TEST, jdk, SERVER, mode, dir, true,
                GuardedService.withTick(dir, "LOOP_TICK_MS", LOOP_TICK_MS));
        String at = app.label();
        boolean blocking = mode.equals("block");
        UnaryOperator<HttpTestClient.Get> key = get -> app.service().withCredentials(get, Credentials.API_KEY);
        UnaryOperator<HttpTestClient.Get> login = get -> app.service().withCredentials(get, Credentials.USER_LOGIN);
        UnaryOperator<HttpTestClient.Get> none = get -> get;
        String judged = blocking ? "403, it did not happen, blocked event" : "it ran, logged event";
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "start the Docker stand-in, then " + SERVER.displayName() + " with -javaagent mode="
                + mode + ", DOCKER_HOST on the stand-in, CANARY in its environment, event-loop ticks every "
                + LOOP_TICK_MS + " ms", () -> app.start(TEST)));
        String keyName = "key (AuthenticationWebFilter on X-Service-Key -> ServiceKeyAuthentication)";
        for (Op op : Op.values()) {
            if (op == Op.BENIGN) {
                tests.add(dynamicTest(at + keyName + " | benign -> 200, it ran, no event",
                        () -> app.untouched("/key", op, key)));
            } else if (op == Op.EXEC) {
                tests.add(dynamicTest(at + keyName + " | exec -> " + judged + " (auth api-key, auth_reason names "
                        + "ServiceKeyAuthentication), on a reactor-http event loop, hostguard.context=request",
                        () -> ranAs(app.guarded("/key", op, key, SERVICE_KEY), EVENT_LOOP, "request")));
            } else {
                tests.add(dynamicTest(at + keyName + " | " + op.path() + " -> " + judged + " (auth api-key, "
                        + "auth_reason names ServiceKeyAuthentication)", () -> app.guarded("/key", op, key,
                        SERVICE_KEY)));
            }
        }
        String anonName = "anon (nothing -> AnonymousAuthenticationToken)";
        for (Op op : Op.values()) {
            if (op == Op.BENIGN) {
                tests.add(dynamicTest(at + anonName + " | benign -> 200, it ran, no event",
                        () -> app.untouched("/anon", op, none)));
            } else if (op == Op.EXEC) {
                tests.add(dynamicTest(at + anonName + " | exec -> " + judged + " (auth none), on parallel-<n> (the "
                        + "session store's hand-over) where WebFlux invoked the controller, hostguard.context=request",
                        () -> ranAs(app.guarded("/anon", op, none, ANONYMOUS), PARALLEL, "request")));
            } else {
                tests.add(dynamicTest(at + anonName + " | " + op.path() + " -> " + judged + " (auth none)",
                        () -> app.guarded("/anon", op, none, ANONYMOUS)));
            }
        }
        for (Op op : Op.values()) {
            tests.add(dynamicTest(at + "basic (HTTP Basic -> UsernamePasswordAuthenticationToken, checked on "
                    + "boundedElastic) | " + op.path() + " -> 200, it ran, no event",
                    () -> app.untouched("/basic", op, login)));
        }
        FormLogin form = new FormLogin(app);
        tests.add(dynamicTest(at + "form login: POST /login (username, password; formLogin()'s defaults) -> 302, not "
                + "to ?error, with a SESSION cookie (the SecurityContext kept in the WebSession)", form::logIn));
        String formName = "form (the form login's SESSION cookie -> the SecurityContext loaded from the WebSession: "
                + "UsernamePasswordAuthenticationToken of a UserDetails)";
        for (Op op : Op.values()) {
            tests.add(dynamicTest(at + formName + " | " + op.path() + " -> 200, it ran, no event",
                    () -> app.untouched("/form", op, form.session())));
        }
        tests.add(dynamicTest(at + "form | /publish-on/exec (publishOn(boundedElastic) in the Mono the controller "
                + "returns on parallel-<n>) -> 200, it ran, no event",
                () -> app.untouched("/form/publish-on", Op.EXEC, form.session())));
        tests.add(dynamicTest(at + "form's SESSION cookie on /anon (another chain; its anonymous filter asks for the "
                + "SecurityContext first, so Spring loads the session's login) | exec -> 200, it ran, no event",
                () -> app.untouched("/anon", Op.EXEC, form.session())));
        tests.add(dynamicTest(at + "forged session (SESSION=<an id the session store does not know>: a forged or an "
                + "expired one) on /anon | exec -> " + judged + " (auth none)",
                () -> app.guarded("/anon", Op.EXEC, FormLogin.FORGED, ANONYMOUS)));
        tests.add(dynamicTest(at + "form | /open/exec (permitAll in a chain without anonymous(): nothing asks for the "
                + "SecurityContext, so Spring never loads the session's login, and neither is it seen) -> " + judged
                + " (auth none)", () -> app.guarded("/form/open", Op.EXEC, form.session(), ANONYMOUS)));
        tests.add(dynamicTest(at + "functional route (RouterFunctions) /fn/key | exec -> " + judged + " (auth api-key, "
                + "auth_reason names ServiceKeyAuthentication), on a reactor-http event loop, hostguard.context=request",
                () -> ranAs(app.guarded("/fn/key", Op.EXEC, key, SERVICE_KEY), EVENT_LOOP, "request")));
        tests.add(dynamicTest(at + "functional route (RouterFunctions) /fn/anon | exec -> " + judged + " (auth none)",
                () -> app.guarded("/fn/anon", Op.EXEC, none, ANONYMOUS)));
        tests.add(dynamicTest(at + "key | POST /key/body/exec (form body, @ModelAttribute: invoked once the body has "
                + "arrived, from the event loop's read of it) -> " + judged + " (auth api-key, POST), on a reactor-http "
                + "event loop, hostguard.context=request", () -> withBody(app, "/key", SERVICE_KEY, true)));
        tests.add(dynamicTest(at + "anon | POST /anon/body/exec (form body read after the session store's hand-over: "
                + "the body is delivered by an event-loop task the parallel thread submitted, or by the loop's read, or "
                + "already there) -> " + judged + " (auth none, POST)", () -> withBody(app, "/anon", ANONYMOUS, false)));
        for (HandOver handOver : HandOver.values()) {
            tests.add(dynamicTest(at + "key | " + handOver.area.substring("/key".length()) + "/exec ("
                    + handOver.idiom + ", waited for by the chain) -> "
                    + (blocking ? "the agent's 403 (not Spring's 500), it did not run, blocked event"
                    : "it ran, logged event") + " (auth api-key), hostguard.context=propagated on " + handOver.worker
                    + ", submitted by a reactor-http event loop", () -> handedOver(app, handOver, key)));
        }
        tests.add(dynamicTest(at + "anon | /publish-on/exec (publishOn(boundedElastic) in the Mono the controller "
                + "returns, the controller itself on parallel-<n>) -> " + judged + " (auth none), "
                + "hostguard.context=propagated on boundedElastic, submitted by the parallel thread",
                () -> handedOverAfterHandOver(app.guarded("/anon/publish-on", Op.EXEC, none, ANONYMOUS))));
        tests.add(dynamicTest(at + "basic | /publish-on/exec (the same for a person) -> 200, it ran, no event",
                () -> app.untouched("/basic/publish-on", Op.EXEC, login)));
        tests.add(dynamicTest(at + "no leak: after the API-key requests, every event loop's tick (true, outside any "
                + "request) runs, exit=0, and no event names it", () -> noLeak(app)));
        tests.add(dynamicTest(at + "stop: no agent WARN/ERROR; no key, canary or password in the events or the log",
                app::stop));
        return dynamicContainer("mode=" + mode, tests);
    }

    /** One service JVM's form login and the session cookie it got. */
    private static final class FormLogin {
        /** A session id the session store never issued: what a forged cookie, or an expired session's, presents. */
        static final UnaryOperator<HttpTestClient.Get> FORGED =
                get -> get.header("Cookie", "SESSION=" + UUID.randomUUID());
        private final TestAppSlot app;
        private volatile String session;

        FormLogin(TestAppSlot app) {
            this.app = app;
        }

        /** {@code POST /login} as a browser sends it (the login page's form); keeps the {@code SESSION} cookie. */
        void logIn() {
            GuardedService service = app.service();
            HttpTestClient.Response response = HttpTestClient.get(service.process().baseUri(), "/login")
                    .formField("username", service.secrets().opsUser())
                    .formField("password", service.secrets().opsPassword())
                    .send();
            assertEquals(302, response.status(), () -> "the form login's redirect: " + response);
            String location = response.headers().firstValue("Location").orElse("");
            assertFalse(location.contains("error"), () -> "the form login failed: Location " + location);
            session = response.cookie("SESSION")
                    .orElseThrow(() -> new AssertionError("no SESSION cookie: " + response.headers()));
        }

        /** Presents the session cookie of the login. */
        UnaryOperator<HttpTestClient.Get> session() {
            return get -> {
                String id = session;
                if (id == null) {
                    Assumptions.abort("the form login did not succeed");
                }
                return get.header("Cookie", "SESSION=" + id);
            };
        }
    }

    /** The event's operation ran on a thread {@code thread} matches, as {@code context}. */
    private static void ranAs(JsonNode event, Pattern thread, String context) {
        String name = event.path("thread").path("name").asText("");
        assertTrue(thread.matcher(name).matches(), () -> "thread.name is not " + thread + ": " + event);
        assertEquals(context, event.path("hostguard").path("context").asText(), () -> "hostguard.context in " + event);
    }

    /**
     * The work ran on the scheduler's thread, for the request whose event loop handed it over. Which status the client
     * gets is {@link TestAppSlot#guarded}'s: in block mode the agent's 403.
     */
    private static void handedOver(TestAppSlot app, HandOver handOver, UnaryOperator<HttpTestClient.Get> key)
            throws Exception {
        JsonNode event = app.guarded(handOver.area, Op.EXEC, key, SERVICE_KEY);
        ranAs(event, handOver.worker, "propagated");
        String submitter = event.path("hostguard").path("submitter").asText("");
        assertTrue(EVENT_LOOP.matcher(submitter).matches(),
                () -> "hostguard.submitter is not a reactor-http event loop: " + event);
    }

    /**
     * Work handed over by a controller WebFlux invoked on a {@code parallel} thread (its chain went there before the
     * login was known): judged as the request was at the controller's end, submitted by that thread.
     */
    private static void handedOverAfterHandOver(JsonNode event) {
        ranAs(event, BOUNDED_ELASTIC, "propagated");
        String submitter = event.path("hostguard").path("submitter").asText("");
        assertTrue(PARALLEL.matcher(submitter).matches(), () -> "hostguard.submitter is not parallel-<n>: " + event);
    }

    /**
     * {@code POST <area>/body/exec} with the command in a form body ({@code cmd}, {@code dir}) and the area's
     * credentials: in block mode refused (marker absent, one {@code blocked} event, the agent's 403 naming it), in
     * audit mode run (marker present, one {@code logged} event); the event has the request's method and path and
     * {@code expected}'s authentication; with {@code onEventLoop}, it is the request's own ({@code request}) on the
     * event loop that read the body.
     */
    private static void withBody(TestAppSlot app, String area, Expected expected, boolean onEventLoop)
            throws Exception {
        GuardedService service = app.service();
        EventLog events = service.events();
        String route = area + "/body/exec";
        Path marker = service.marker(area.substring(1) + "-body-exec");
        int before = events.count();
        HttpTestClient.Get post = HttpTestClient.get(service.process().baseUri(), route)
                .formField("cmd", "touch " + marker)
                .formField("dir", service.markers().toString());
        HttpTestClient.Response response = (area.equals("/key")
                ? service.withCredentials(post, Credentials.API_KEY) : post).send();
        Predicate<JsonNode> thisStart = EventLog.hasProcessArg(marker.toString());
        if (service.blocking()) {
            assertFalse(Files.exists(marker), () -> "blocked, yet the command ran: " + marker + " (" + response + ")");
        } else {
            ProcessStartEvent.assertRan(response);
            assertTrue(Files.exists(marker), "audit mode, yet the command did not run: " + marker);
        }
        JsonNode event = events.awaitSince(before, "for POST " + route, thisStart);
        GuardAssertions.assertOnlyEvents(events, before, List.of(thisStart));
        List<String> problems = new ArrayList<>();
        RequestEventFields.checkEnvelope(problems, event);
        JsonNode hg = event.path("hostguard");
        RequestEventFields.check(problems, "hostguard.decision", service.blocking() ? "blocked" : "logged",
                hg.path("decision"));
        RequestEventFields.check(problems, "hostguard.rule", "process-start", hg.path("rule"));
        RequestEventFields.check(problems, "hostguard.auth", expected.auth(), hg.path("auth"));
        RequestEventFields.check(problems, "url.path", route, event.path("url").path("path"));
        RequestEventFields.check(problems, "http.request.method", "POST",
                event.path("http").path("request").path("method"));
        RequestEventFields.check(problems, "client.ip", "127.0.0.1", event.path("client").path("ip"));
        if (expected.keyFingerprint() == null && event.has("api_key")) {
            problems.add("api_key present although no key was sent: " + event.path("api_key"));
        }
        assertTrue(problems.isEmpty(), () -> String.join("\n", problems) + "\n  in event " + event);
        expected.assertReason(event);
        if (onEventLoop) {
            ranAs(event, EVENT_LOOP, "request");
        }
        if (service.blocking()) {
            String eventId = ProcessStartEvent.assertBlockResponse(response);
            assertEquals(event.path("event").path("id").asText(), eventId, "403 event_id vs the event's event.id");
            assertFalse(Files.exists(marker), "blocked, yet the command ran: " + marker);
        }
        service.process().assertNoUnexpectedAgentProblems();
    }

    /**
     * Every event loop ticks after this point ({@code true} run outside any request, by a Netty scheduled task); every
     * tick so far ran ({@code exit=0}: a leaked API-key scope would have it refused in block mode) and no event names
     * one (a leaked scope would have it logged in audit mode). The loops that served this JVM's API-key requests are
     * among the ticking ones.
     */
    private static void noLeak(TestAppSlot app) {
        GuardedService service = app.service();
        ServiceProcess process = service.process();
        Matcher scheduled = process.awaitLine(TICKS_SCHEDULED, Duration.ZERO);
        assertNotNull(scheduled, () -> "the app did not schedule its event-loop ticks:\n" + process.tail());
        int loops = Integer.parseInt(scheduled.group(1));
        Set<String> ticked = new TreeSet<>();
        int from = process.lines().size();
        long deadline = System.nanoTime() + TICK_WAIT.toNanos();
        while (ticked.size() < loops) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            Matcher tick = process.awaitLine(TICK, from, left);
            assertNotNull(tick, () -> "ticks within " + TICK_WAIT + " from only " + ticked + " of " + loops
                    + " event loops:\n" + process.tail());
            ticked.add(tick.group(1));
            from = indexAfter(process, tick.group(), from);
        }
        List<String> failed = process.lines().stream().map(ServiceProcess.Line::text)
                .filter(l -> TICK.matcher(l).matches() && !l.endsWith(": exit=0")).toList();
        assertTrue(failed.isEmpty(), () -> "event-loop ticks that did not run: " + failed);
        List<JsonNode> tickEvents = service.events().events().stream()
                .filter(e -> e.path("process").path("args").toString().equals("[\"true\"]")).toList();
        assertTrue(tickEvents.isEmpty(), () -> "events for the event loops' ticks, outside any request:\n"
                + EventLog.describe(tickEvents));
        Set<String> keyLoops = new TreeSet<>();
        for (JsonNode e : service.events().events()) {
            String thread = e.path("thread").path("name").asText("");
            if (e.path("hostguard").path("auth").asText("").equals("api-key") && EVENT_LOOP.matcher(thread).matches()) {
                keyLoops.add(thread);
            }
        }
        if (keyLoops.isEmpty()) {
            Assumptions.abort("no API-key event ran on an event loop: nothing shows which loops served key requests");
        }
        assertTrue(ticked.containsAll(keyLoops), () -> "loops that served API-key requests " + keyLoops
                + " did not all tick: " + ticked);
    }

    /** The index after the first line at or after {@code from} whose text is {@code text}. */
    private static int indexAfter(ServiceProcess process, String text, int from) {
        List<ServiceProcess.Line> lines = process.lines();
        for (int i = from; i < lines.size(); i++) {
            if (lines.get(i).text().equals(text)) {
                return i + 1;
            }
        }
        return lines.size();
    }
}
