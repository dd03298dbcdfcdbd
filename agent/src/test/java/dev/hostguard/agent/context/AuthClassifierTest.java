package dev.hostguard.agent.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.config.PolicyParser;
import dev.hostguard.agent.policy.AuthClass;
import dev.hostguard.agent.policy.CredentialSettings;
import java.security.Principal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.RememberMeAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.core.DefaultOAuth2AuthenticatedPrincipal;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.user.DefaultOAuth2User;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthentication;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;

/** Classification by what the application established, with Spring Security's real token types. */
class AuthClassifierTest {
    private static final List<org.springframework.security.core.GrantedAuthority> ROLES =
            AuthorityUtils.createAuthorityList("ROLE_ADMIN");

    private final AuthClassifier classifier = new AuthClassifier(CredentialSettings.DEFAULTS);

    private Authentication classify(FakeRequest request) {
        return classifier.classify(request).auth();
    }

    private AuthClass classOf(FakeRequest request) {
        return classify(request).authClass();
    }

    private static AuthClassifier withPolicy(String credentialsYaml) throws Exception {
        return new AuthClassifier(PolicyParser.parse("version: 1\ncredentials:\n" + credentialsYaml, "p.yaml")
                .credentials());
    }

    @Test
    void noCredentialsIsNone() {
        Authentication auth = classify(new FakeRequest());
        assertEquals(AuthClass.NONE, auth.authClass());
        assertEquals("no login and no API key", auth.reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-API-Key", "x-api-key", "API-KEY", "Api-Key", "X-Api-Token"})
    void keyHeadersAreApiKeyWhateverTheirCase(String header) {
        assertEquals(AuthClass.API_KEY, classOf(new FakeRequest().header(header, "k")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ApiKey k", "Api-Key k", "Key k", "Token k", "apikey k", "TOKEN   k"})
    void keyAuthorizationSchemesAreApiKey(String authorization) {
        assertEquals(AuthClass.API_KEY, classOf(new FakeRequest().header("Authorization", authorization)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"api_key=k", "apikey=k", "api-key=k", "a=1&api_key=k%20x", "x=%zz&apikey=k"})
    void keyQueryParametersAreApiKey(String query) {
        assertEquals(AuthClass.API_KEY, classOf(new FakeRequest().query(query)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"api_key=", "api_key", "apikeys=k", "x=api_key", "%zz"})
    void otherQueriesAreNotKeys(String query) {
        assertEquals(AuthClass.NONE, classOf(new FakeRequest().query(query)));
    }

    @Test
    void headersAnAttackerCanAddNeverUpgrade() {
        FakeRequest request = new FakeRequest().header("X-API-Key", "k")
                .header("Authorization", "Bearer junk").header("Cookie", "JSESSIONID=forged");
        assertEquals(AuthClass.API_KEY, classOf(request));
        assertEquals(AuthClass.NONE, classOf(new FakeRequest().header("Authorization", "Bearer junk")
                .header("Cookie", "JSESSIONID=forged")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"BASIC", "FORM", "DIGEST", "basic"})
    void aContainerLoginIsAPersons(String authType) {
        Authentication auth = classify(new FakeRequest().principal(authType));
        assertEquals(AuthClass.USER, auth.authClass());
        assertTrue(auth.reason().contains(authType.toUpperCase(java.util.Locale.ROOT)), auth.reason());
    }

    @Test
    void aPrincipalNoLoginStandsBehindIsNotAUser() {
        Authentication auth = classify(new FakeRequest().principal(new KeyPrincipal(), null));
        assertEquals(AuthClass.API_KEY, auth.authClass(), "never a silent user");
        assertEquals(KeyFingerprint.of("client-7"), auth.keyFingerprint(), "its name may be the key: fingerprint only");
        assertTrue(auth.reason().contains(KeyPrincipal.class.getName()), auth.reason());
        assertTrue(auth.reason().contains("credentials.person-principals"), "says what to write: " + auth.reason());
        assertEquals(AuthClass.API_KEY, classOf(new FakeRequest().principal(new KeyPrincipal(), "CUSTOM")));
    }

    @Test
    void aKeyNextToAPerRequestLoginStaysApiKey() {
        Authentication auth = classify(new FakeRequest().principal("BASIC").header("X-API-Key", "k"));
        assertEquals(AuthClass.API_KEY, auth.authClass());
        assertEquals(KeyFingerprint.of("k"), auth.keyFingerprint());
        assertEquals("header X-API-Key", auth.keySource());
    }

    @Test
    void aSessionLoginWithAKeyIsUser() {
        assertEquals(AuthClass.USER, classOf(new FakeRequest().principal("FORM").header("X-API-Key", "k")));
    }

    @Test
    void aMessageIsClassedMessageWhateverItCarries() {
        Authentication auth = classifier.classify(new MessageView("kafka", "orders")).auth();
        assertEquals(AuthClass.MESSAGE, auth.authClass());
        assertNull(auth.keyFingerprint());
        assertEquals("a message consumed from kafka /orders", auth.reason());
    }

    @Test
    void aVerifiedClientCertificateIsMtls() {
        assertEquals(AuthClass.MTLS, classOf(new FakeRequest().clientCertificate()));
        assertEquals(AuthClass.MTLS, classOf(new FakeRequest().clientCertificate().header("X-API-Key", "k")));
        assertEquals(AuthClass.MTLS, classOf(new FakeRequest().principal("CLIENT_CERT")), "a container's cert login");
    }

    @Test
    void theFingerprintIdentifiesTheKeyWithoutRevealingIt() {
        Authentication auth = classify(new FakeRequest().header("X-API-Key", "s3cret-key"));
        assertEquals(KeyFingerprint.of("s3cret-key"), auth.keyFingerprint());
        assertEquals(12, auth.keyFingerprint().length());
        assertEquals("an API key in header X-API-Key (no login)", auth.reason());
        assertNull(classify(new FakeRequest()).keyFingerprint());
    }

    @Test
    void keysFromHeadersWinOverQueryParameters() {
        Authentication auth = classify(new FakeRequest().header("X-API-Key", "a").query("api_key=b"));
        assertEquals(KeyFingerprint.of("a"), auth.keyFingerprint());
    }

    // ---- Spring Security: what its filters put in, read by name ----

    /** The tutorials' key filter: its own token type, holding the key (or a client name) as principal. */
    static final class ApiKeyAuthentication extends AbstractAuthenticationToken {
        private final String key;

        ApiKeyAuthentication(String key) {
            super(ROLES);
            this.key = key;
            setAuthenticated(true);
        }

        @Override
        public Object getCredentials() {
            return null;
        }

        @Override
        public Object getPrincipal() {
            return key;
        }
    }

    private AuthClass spring(Principal authentication) {
        return classOf(new FakeRequest().principal(authentication, null));
    }

    @Test
    void springFormOrBasicLoginOfAUserStoresUserIsAPersons() {
        Authentication auth = classify(new FakeRequest().principal(UsernamePasswordAuthenticationToken
                .authenticated(new User("alice", "x", ROLES), null, ROLES), null));
        assertEquals(AuthClass.USER, auth.authClass());
        assertTrue(auth.reason().contains("UserDetails"), auth.reason());
    }

    @Test
    void springTokensTheApplicationMadeForAKeyAreApiKey() {
        Authentication custom = classify(new FakeRequest().principal(new ApiKeyAuthentication("s3cret"), null)
                .header("X-Service-Key", "s3cret"));
        assertEquals(AuthClass.API_KEY, custom.authClass(), "a key header HostGuard does not list");
        assertEquals(KeyFingerprint.of("s3cret"), custom.keyFingerprint());
        assertTrue(custom.reason().contains(ApiKeyAuthentication.class.getName()), custom.reason());
        assertEquals(ApiKeyAuthentication.class.getName(), custom.unattributedPrincipal(), "for learn and report");
        assertEquals(AuthClass.API_KEY, spring(UsernamePasswordAuthenticationToken.authenticated("s3cret", null,
                ROLES)), "a username-password token of a bare string is the application's own, not a user store's");
        assertEquals(AuthClass.API_KEY, spring(new PreAuthenticatedAuthenticationToken("ops", "n/a", ROLES)));
    }

    @Test
    void springSessionLoginsArePersonsEvenBesideAKey() {
        Principal rememberMe = new RememberMeAuthenticationToken("k", new User("alice", "x", ROLES), ROLES);
        Principal oauth2Login = new OAuth2AuthenticationToken(new DefaultOAuth2User(ROLES, Map.of("sub", "alice"),
                "sub"), ROLES, "github");
        for (Principal login : List.of(rememberMe, oauth2Login)) {
            assertEquals(AuthClass.USER, spring(login), login.getClass().getSimpleName());
            assertEquals(AuthClass.USER, classOf(new FakeRequest().principal(login, null).header("X-API-Key", "k")));
        }
    }

    @Test
    void springAnonymousIsNone() {
        Principal anonymous = new AnonymousAuthenticationToken("k", "anonymousUser",
                AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS"));
        assertEquals(AuthClass.NONE, spring(anonymous));
        assertEquals(AuthClass.API_KEY, classOf(new FakeRequest().principal(anonymous, null).header("X-API-Key", "k")));
    }

    private static Jwt jwt(Map<String, Object> claims) {
        Jwt.Builder jwt = Jwt.withTokenValue("eyJ.token.value").header("alg", "HS256")
                .issuedAt(Instant.now()).expiresAt(Instant.now().plusSeconds(60));
        claims.forEach(jwt::claim);
        return jwt.build();
    }

    @Test
    void bearerTokensAreAClientsByDefault() {
        Authentication auth = classify(new FakeRequest().principal(new JwtAuthenticationToken(jwt(Map.of("sub",
                "reporting-job"))), null).header("Authorization", "Bearer eyJ.token.value"));
        assertEquals(AuthClass.API_KEY, auth.authClass());
        assertEquals(KeyFingerprint.of("reporting-job"), auth.keyFingerprint());
        assertTrue(auth.reason().contains("credentials.bearer-tokens"), auth.reason());
        OAuth2AccessToken token = new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, "opaque",
                Instant.now(), Instant.now().plusSeconds(60));
        assertEquals(AuthClass.API_KEY, spring(new BearerTokenAuthentication(new DefaultOAuth2AuthenticatedPrincipal(
                "reporting-job", Map.of("sub", "reporting-job"), ROLES), token, ROLES)));
    }

    @Test
    void bearerTokensArePersonsWhenThePolicySaysWhich() throws Exception {
        Principal person = new JwtAuthenticationToken(jwt(Map.of("sub", "alice", "preferred_username", "alice")));
        Principal client = new JwtAuthenticationToken(jwt(Map.of("sub", "reporting-job")));
        AuthClassifier byClaim = withPolicy("  bearer-tokens:\n    person-claims: [preferred_username]\n");
        assertEquals(AuthClass.USER, byClaim.classify(new FakeRequest().principal(person, null)).auth().authClass());
        assertEquals(AuthClass.API_KEY, byClaim.classify(new FakeRequest().principal(client, null)).auth().authClass());
        AuthClassifier allPersons = withPolicy("  bearer-tokens:\n    owner: person\n");
        assertEquals(AuthClass.USER, allPersons.classify(new FakeRequest().principal(client, null)).auth().authClass());
    }

    @Test
    void theBearerTokenALoginReadIsNoKeyBesideIt() throws Exception {
        AuthClassifier bearerKeys = withPolicy("  authorization-schemes: [Bearer]\n  bearer-tokens:\n"
                + "    owner: person\n");
        FakeRequest request = new FakeRequest().principal(new JwtAuthenticationToken(jwt(Map.of("sub", "alice"))),
                null).header("Authorization", "Bearer eyJ.token.value");
        Authentication auth = bearerKeys.classify(request).auth();
        assertEquals(AuthClass.USER, auth.authClass());
        assertNull(auth.keyFingerprint());
        assertEquals(AuthClass.API_KEY, bearerKeys.classify(new FakeRequest().header("Authorization",
                "Bearer static-key")).auth().authClass(), "without a token login, a Bearer key is a key");
    }

    // ---- what a policy names ----

    /** A principal some framework made from a key, and a person's. */
    static class KeyPrincipal implements Principal {
        @Override
        public String getName() {
            return "client-7";
        }
    }

    static final class SpecialKeyPrincipal extends KeyPrincipal {
    }

    @Test
    void principalsThatStandForAKeyAreApiKeyEvenLookingLikeALogin() throws Exception {
        Principal person = () -> "alice";
        Principal named = () -> "apikey:ops";
        AuthClassifier byName = withPolicy("  api-key-principals:\n    names: [\"apikey:*\"]\n");
        Authentication key = byName.classify(new FakeRequest().principal(named, "BASIC")).auth();
        assertEquals(AuthClass.API_KEY, key.authClass());
        assertEquals(KeyFingerprint.of("apikey:ops"), key.keyFingerprint(), "the name may be the key: fingerprint only");
        assertTrue(key.reason().contains("credentials.api-key-principals"), key.reason());
        assertNull(key.unattributedPrincipal(), "the policy said whose it is");
        assertEquals(AuthClass.USER, byName.classify(new FakeRequest().principal(person, "BASIC")).auth().authClass());

        AuthClassifier byClass = withPolicy("  api-key-principals:\n    classes: [" + KeyPrincipal.class.getName()
                + "]\n");
        assertEquals(AuthClass.API_KEY, byClass.classify(new FakeRequest().principal(new SpecialKeyPrincipal(),
                "FORM")).auth().authClass(), "a subclass of a named class, even in a form login");
        assertEquals(AuthClass.MTLS, byClass.classify(new FakeRequest().principal(new KeyPrincipal(), null)
                .clientCertificate()).auth().authClass(), "a verified certificate still wins");
    }

    @Test
    void principalsNamedAsPersonsAreUsers() throws Exception {
        AuthClassifier persons = withPolicy("  person-principals:\n    classes: [" + KeyPrincipal.class.getName()
                + "]\n");
        Authentication auth = persons.classify(new FakeRequest().principal(new SpecialKeyPrincipal(), null)).auth();
        assertEquals(AuthClass.USER, auth.authClass());
        assertTrue(auth.reason().contains("credentials.person-principals"), auth.reason());
        AuthClassifier both = withPolicy("  person-principals:\n    names: [\"*\"]\n  api-key-principals:\n"
                + "    names: [\"client-*\"]\n");
        assertEquals(AuthClass.API_KEY, both.classify(new FakeRequest().principal(new KeyPrincipal(), null)).auth()
                .authClass(), "api-key-principals wins");
    }

    @Test
    void aPolicyThatAddsAHeaderStillKnowsTheDefaults() throws Exception {
        AuthClassifier added = withPolicy("  headers: [X-Service-Token]\n  authorization-schemes: [Bearer]\n"
                + "  query-parameters: [token]\n");
        for (FakeRequest request : List.of(new FakeRequest().header("X-Service-Token", "t"),
                new FakeRequest().header("X-API-Key", "t"), new FakeRequest().header("Authorization", "bearer t"),
                new FakeRequest().header("Authorization", "Token t"), new FakeRequest().query("token=t"),
                new FakeRequest().query("api_key=t"))) {
            assertEquals(AuthClass.API_KEY, added.classify(request).auth().authClass());
        }
        AuthClassifier replaced = withPolicy("  headers: [X-Service-Token]\n  replace-defaults: true\n");
        assertEquals(AuthClass.API_KEY, replaced.classify(new FakeRequest().header("X-Service-Token", "t")).auth()
                .authClass());
        assertEquals(AuthClass.NONE, replaced.classify(new FakeRequest().header("X-API-Key", "t")).auth().authClass(),
                "replace-defaults: the policy's lists alone");
        assertEquals(AuthClass.NONE, replaced.classify(new FakeRequest().query("api_key=t")).auth().authClass());
    }

    // ---- classified again while the request is served ----

    @Test
    void reclassifyingKeepsTheClassificationUntilALoginChanges() {
        FakeRequest request = new FakeRequest().header("X-API-Key", "k");
        AuthClassifier.Classification first = classifier.classify(request);
        assertSame(first, classifier.reclassify(request, first), "nothing changed: the same, no allocation");

        request.principal(new RememberMeAuthenticationToken("k", new User("alice", "x", ROLES), ROLES), null);
        AuthClassifier.Classification loggedIn = classifier.reclassify(request, first);
        assertNotSame(first, loggedIn);
        assertEquals(AuthClass.USER, loggedIn.auth().authClass());
        assertEquals(KeyFingerprint.of("k"), loggedIn.auth().keyFingerprint(), "the key read before stands");

        request.principal(null, null);
        assertEquals(AuthClass.API_KEY, classifier.reclassify(request, loggedIn).auth().authClass(), "logged out");
    }
}
