package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.hostguard.it.TestAppSlot.Expected;
import dev.hostguard.it.TestAppSlot.Op;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who is calling, the way real services authenticate: the Spring Boot 3 app ({@code test-apps/spring-boot3}, Tomcat
 * 10.1, Spring Security 6) serves the same four host operations ({@link Op}) behind each of Spring Security's usual
 * mechanisms, and the agent must tell a client's request from a person's by what Spring established, whatever the
 * header or the principal's type. On every JDK, in audit and block mode (one service JVM and one Docker stand-in
 * JVM each):
 * <ul>
 *   <li>a client's request: {@code /key} (the app's own {@code OncePerRequestFilter} on {@code X-Service-Key}, which
 *       is none of the agent's default key headers, and its own {@code ServiceKeyAuthentication} token),
 *       {@code /preauth} ({@code RequestHeaderAuthenticationFilter}), {@code /jwt} (an OAuth2 resource server; a
 *       bearer token is a client's by default): {@code exec}, {@code environ}, {@code socket} refused in block mode
 *       (403, marker absent, the environment's bytes not read, the stand-in never saw the connection) and logged in
 *       audit mode (they ran), {@code hostguard.auth=api-key}; {@code /anon} likewise with {@code none}; every event
 *       has a non-blank {@code hostguard.auth_reason}, and for {@code /key} it names
 *       {@code ServiceKeyAuthentication}; {@code benign} runs with no event</li>
 *   <li>a person's login: {@code /basic} (HTTP Basic), {@code /form} with the session of a real form login (a POST
 *       to {@code /login}), {@code /form} with only the remember-me cookie of that login: every operation runs, no
 *       event</li>
 *   <li>work handed over by a key request, {@code /key/async/exec} ({@code @Async}, then {@code .get()}) and
 *       {@code /key/future/exec} ({@code CompletableFuture.supplyAsync} on the app's executor, then {@code .join()}),
 *       the exception left to propagate: block: the agent's 403, not the 500 of the exception, marker absent, one
 *       {@code blocked} event with {@code hostguard.context=propagated}; audit: 200 and one {@code logged} event</li>
 * </ul>
 * And in block mode, with a policy file each (no stand-in: they only start processes):
 * <ul>
 *   <li>{@code bearer-tokens: {owner: person}}: a JWT request runs its command, no event (a key request is still
 *       refused)</li>
 *   <li>{@code bearer-tokens: {person-claims: [preferred_username]}}: a token with that claim runs, no event; one
 *       without it is refused</li>
 *   <li>{@code headers: [X-Service-Key]}, which adds to the default headers: {@code X-API-Key} on {@code /anon} still
 *       makes the request {@code api-key} (with that value's fingerprint), and {@code /key} is {@code api-key} with
 *       the fingerprint of the {@code X-Service-Key} value</li>
 * </ul>
 * The raw service key, the bearer tokens, the canary of the environment and the user's password appear in no event
 * and no log.
 */
class SpringBootIT {
    private static final String TEST = SpringBootIT.class.getSimpleName();
    private static final GuardedServer SERVER = GuardedServer.SPRING_BOOT3;
    private static final List<String> MODES = List.of("audit", "block");
    private static final String ANY = RequestEventFields.ANY_KEY_FINGERPRINT;
    private static final String STOP =
            "stop: no agent WARN/ERROR; no key, token, canary or password in the events or the log";
    /** The claim a person-claims policy names. */
    private static final String PERSON_CLAIM = "preferred_username";

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ServiceSlots SLOTS = new ServiceSlots();

    /** How a request authenticates ({@code area} its routes), and, for a client's, what its events must say. */
    private enum Mechanism {
        KEY("/key", "key (X-Service-Key -> ServiceKeyAuthentication)",
                new Expected("api-key", ANY, "ServiceKeyAuthentication")),
        PREAUTH("/preauth", "preauth (X-Remote-User -> PreAuthenticatedAuthenticationToken)",
                new Expected("api-key", ANY, null)),
        JWT("/jwt", "jwt (Bearer HS256 -> JwtAuthenticationToken)", new Expected("api-key", ANY, null)),
        ANON("/anon", "anon (nothing -> AnonymousAuthenticationToken)", new Expected("none", null, null)),
        BASIC("/basic", "basic (HTTP Basic -> UsernamePasswordAuthenticationToken)", null),
        FORM("/form", "form (session cookie of a form login)", null),
        REMEMBER_ME("/form", "remember-me (its cookie alone -> RememberMeAuthenticationToken)", null);

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

    /** One service JVM and the cookies of its form login. */
    private static final class Fixture {
        private final TestAppSlot app;
        private String session;
        private String rememberMe;

        Fixture(TestAppSlot app) {
            this.app = app;
        }

        /** {@code POST /login} as a browser sends it, asking to be remembered; keeps both cookies. */
        void logIn() {
            GuardedService service = app.service();
            HttpTestClient.Response response = HttpTestClient.get(service.process().baseUri(), "/login")
                    .formField("username", service.secrets().opsUser())
                    .formField("password", service.secrets().opsPassword())
                    .formField("remember-me", "on")
                    .send();
            assertEquals(302, response.status(), () -> "the form login's redirect: " + response);
            String location = response.headers().firstValue("Location").orElse("");
            assertFalse(location.contains("error"), () -> "the form login failed: Location " + location);
            session = response.cookie("JSESSIONID")
                    .orElseThrow(() -> new AssertionError("no session cookie: " + response.headers()));
            rememberMe = response.cookie("remember-me")
                    .orElseThrow(() -> new AssertionError("no remember-me cookie: " + response.headers()));
        }

        private static String cookie(String value) {
            if (value == null) {
                Assumptions.abort("the form login did not succeed");
            }
            return value;
        }

        /** Adds to a request what {@code mechanism} presents. */
        UnaryOperator<HttpTestClient.Get> credentials(Mechanism mechanism) {
            return switch (mechanism) {
                case KEY -> get -> app.service().withCredentials(get, Credentials.API_KEY);
                case PREAUTH -> get -> get.header("X-Remote-User", "proxied-user");
                case JWT -> bearer(app.service(), "billing-job", null);
                case ANON -> get -> get;
                case BASIC -> get -> app.service().withCredentials(get, Credentials.USER_LOGIN);
                case FORM -> get -> get.header("Cookie", "JSESSIONID=" + cookie(session));
                case REMEMBER_ME -> get -> get.header("Cookie", "remember-me=" + cookie(rememberMe));
            };
        }
    }

    @TestFactory
    Stream<DynamicNode> springBoot3() {
        return Jdks.all().stream().map(jdk -> dynamicContainer("JDK " + jdk.version(), Stream.concat(
                MODES.stream().map(mode -> everyMechanism(jdk, mode)),
                Stream.of(bearerTokensOfPersons(jdk), personClaims(jdk), addedKeyHeader(jdk)))));
    }

    private DynamicContainer everyMechanism(Jdks.Jdk jdk, String mode) {
        Fixture fx = new Fixture(new TestAppSlot(SLOTS, TEST, jdk, SERVER, mode,
                tmp.resolve(jdk.label() + "-" + mode), true, b -> b));
        String at = fx.app.label();
        boolean blocking = mode.equals("block");
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "start the Docker stand-in, then " + SERVER.displayName() + " with -javaagent mode="
                + mode + ", DOCKER_HOST on the stand-in, CANARY in its environment", () -> fx.app.start(TEST)));
        tests.add(dynamicTest(at + "form login: POST /login (username, password, remember-me=on) -> 302 with a session"
                + " cookie and a remember-me cookie", fx::logIn));
        for (Mechanism mechanism : Mechanism.values()) {
            for (Op op : Op.values()) {
                Expected expected = mechanism.expected;
                if (expected == null || op == Op.BENIGN) {
                    tests.add(dynamicTest(at + mechanism.display + " | " + op.path() + " -> 200, it ran, no event",
                            () -> fx.app.untouched(mechanism.area, op, fx.credentials(mechanism))));
                } else {
                    tests.add(dynamicTest(at + mechanism.display + " | " + op.path() + " -> "
                            + outcome(blocking, expected),
                            () -> fx.app.guarded(mechanism.area, op, fx.credentials(mechanism), expected)));
                }
            }
        }
        for (String area : List.of("/key/async", "/key/future")) {
            String how = area.endsWith("async") ? "@Async, .get()" : "CompletableFuture.supplyAsync, .join()";
            String outcome = blocking ? "the agent's 403 (not a 500), it did not run, blocked event"
                    : "it ran, logged event";
            tests.add(dynamicTest(at + "key | " + area.substring(5) + "/exec (" + how + "; the exception propagates)"
                    + " -> " + outcome + " (auth api-key), hostguard.context=propagated", () -> handedOver(fx, area)));
        }
        tests.add(dynamicTest(at + STOP, fx.app::stop));
        return dynamicContainer("mode=" + mode, tests);
    }

    private static String outcome(boolean blocking, Expected expected) {
        return (blocking ? "403, it did not happen, blocked event" : "it ran, logged event") + " (auth "
                + expected.auth() + (expected.reasonNames() == null ? "" : ", auth_reason names "
                + expected.reasonNames()) + ")";
    }

    /**
     * The operation ran on the app's executor ({@code work-<n>}), for the request whose thread handed it over.
     * Which status the client gets is {@link TestAppSlot#guarded}'s: in block mode the agent's 403.
     */
    private static void handedOver(Fixture fx, String area) throws Exception {
        JsonNode event = fx.app.guarded(area, Op.EXEC, fx.credentials(Mechanism.KEY), Mechanism.KEY.expected);
        JsonNode hg = event.path("hostguard");
        assertEquals("propagated", hg.path("context").asText(), () -> "hostguard.context in " + event);
        assertTrue(event.path("thread").path("name").asText("").startsWith("work-"),
                () -> "not on the app's executor: " + event);
        assertTrue(hg.path("submitter").asText("").matches("http-nio-.*-exec-\\d+"),
                () -> "hostguard.submitter is not a Tomcat request thread: " + event);
    }

    /** A block-mode service with {@code policyYaml}, and the tests {@code cases} adds for it. */
    private DynamicContainer withPolicy(Jdks.Jdk jdk, String name, String policyYaml, String what,
                                        PolicyCases cases) {
        Path dir = tmp.resolve(jdk.label() + "-policy-" + name);
        Fixture fx = new Fixture(new TestAppSlot(SLOTS, TEST, jdk, SERVER, "block", dir, false,
                GuardedService.withPolicy(dir.resolve("policy.yaml"), policyYaml)));
        String at = "[" + jdk.label() + " " + SERVER.id() + " block, policy " + name + "] ";
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "start " + SERVER.displayName() + " with -javaagent mode=block and the policy "
                + what, () -> fx.app.start(TEST)));
        cases.add(tests, at, fx);
        tests.add(dynamicTest(at + STOP, fx.app::stop));
        return dynamicContainer("mode=block, policy " + what, tests);
    }

    @FunctionalInterface
    private interface PolicyCases {
        void add(List<DynamicNode> tests, String at, Fixture fx);
    }

    private DynamicContainer bearerTokensOfPersons(Jdks.Jdk jdk) {
        return withPolicy(jdk, "bearer-person", "credentials: { bearer-tokens: { owner: person } }\n",
                "credentials: { bearer-tokens: { owner: person } }", (tests, at, fx) -> {
                    tests.add(dynamicTest(at + "jwt (a bearer token is a person's) | exec -> 200, it ran, no event",
                            () -> fx.app.untouched(Mechanism.JWT.area, Op.EXEC, fx.credentials(Mechanism.JWT))));
                    tests.add(dynamicTest(at + "key | exec -> 403, it did not happen, blocked event (auth api-key): "
                            + "the policy made bearer tokens persons' and nothing else", () -> fx.app.guarded(
                            Mechanism.KEY.area, Op.EXEC, fx.credentials(Mechanism.KEY), Mechanism.KEY.expected)));
                });
    }

    private DynamicContainer personClaims(Jdks.Jdk jdk) {
        return withPolicy(jdk, "person-claims", "credentials: { bearer-tokens: { person-claims: [" + PERSON_CLAIM
                + "] } }\n", "credentials: { bearer-tokens: { person-claims: [" + PERSON_CLAIM + "] } }",
                (tests, at, fx) -> {
                    tests.add(dynamicTest(at + "jwt with a " + PERSON_CLAIM + " claim | exec -> 200, it ran, no event",
                            () -> fx.app.untouched(Mechanism.JWT.area, Op.EXEC,
                                    bearer(fx.app.service(), "alice", "alice"))));
                    tests.add(dynamicTest(at + "jwt without it | exec -> 403, it did not happen, blocked event "
                            + "(auth api-key)", () -> fx.app.guarded(Mechanism.JWT.area, Op.EXEC,
                            fx.credentials(Mechanism.JWT), Mechanism.JWT.expected)));
                });
    }

    private DynamicContainer addedKeyHeader(Jdks.Jdk jdk) {
        String anyKey = "any-key-" + UUID.randomUUID();
        return withPolicy(jdk, "added-header", "credentials: { headers: [X-Service-Key] }\n",
                "credentials: { headers: [X-Service-Key] } (added to the default key headers)", (tests, at, fx) -> {
                    tests.add(dynamicTest(at + "anon with X-API-Key: <any value> | exec -> 403, blocked event (auth "
                            + "api-key, the fingerprint of that value): the default key headers still count", () -> {
                                fx.app.guarded(Mechanism.ANON.area, Op.EXEC, get -> get.apiKey(anyKey),
                                        new Expected("api-key", Secrets.fingerprint(anyKey), null));
                                assertFalse(fx.app.service().events().rawText().contains(anyKey),
                                        "the X-API-Key value is in the events file");
                            }));
                    tests.add(dynamicTest(at + "key | exec -> 403, blocked event (auth api-key, the fingerprint of the "
                            + "X-Service-Key value)", () -> {
                                GuardedService service = fx.app.service();
                                fx.app.guarded(Mechanism.KEY.area, Op.EXEC, fx.credentials(Mechanism.KEY),
                                        new Expected("api-key", service.secrets().apiKeyFingerprint(), null));
                            }));
                });
    }

    /**
     * Adds {@code Authorization: Bearer <JWT>}: HS256, signed with the service's {@code JWT_SECRET}, for
     * {@code subject}, valid ten minutes, with a {@value #PERSON_CLAIM} claim unless {@code personName} is null.
     */
    private static UnaryOperator<HttpTestClient.Get> bearer(GuardedService service, String subject, String personName) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(subject)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(600)));
        if (personName != null) {
            claims.claim(PERSON_CLAIM, personName);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        try {
            jwt.sign(new MACSigner(service.secrets().jwtSecret().getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        String token = jwt.serialize();
        // the leak check looks for this header: it must be what every token starts with
        assertTrue(token.startsWith(TestAppSlot.JWT_HEADER + "."), () -> "unexpected JWT header: " + token);
        return get -> get.header("Authorization", "Bearer " + token);
    }
}
