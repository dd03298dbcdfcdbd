package dev.hostguard.agent.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.hostguard.agent.policy.AuthClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuthClassifierTest {
    private final AuthClassifier classifier = new AuthClassifier(ApiKeyCredentials.DEFAULTS);

    private AuthClass classOf(FakeRequest request) {
        return classifier.classify(request).authClass();
    }

    @Test
    void noCredentialsIsNone() {
        assertEquals(AuthClass.NONE, classOf(new FakeRequest()));
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

    @Test
    void aPrincipalWithoutKeyIsUser() {
        assertEquals(AuthClass.USER, classOf(new FakeRequest().principal("BASIC")));
        assertEquals(AuthClass.USER, classOf(new FakeRequest().principal(null)));
    }

    @Test
    void aKeyNextToABasicOrDerivedPrincipalStaysApiKey() {
        assertEquals(AuthClass.API_KEY, classOf(new FakeRequest().principal("BASIC").header("X-API-Key", "k")));
        assertEquals(AuthClass.API_KEY, classOf(new FakeRequest().principal(null).header("X-API-Key", "k")));
    }

    @Test
    void aSessionLoginWithAKeyIsUser() {
        assertEquals(AuthClass.USER, classOf(new FakeRequest().principal("FORM").header("X-API-Key", "k")));
    }

    @Test
    void aVerifiedClientCertificateIsMtls() {
        assertEquals(AuthClass.MTLS, classOf(new FakeRequest().clientCertificate()));
        assertEquals(AuthClass.MTLS, classOf(new FakeRequest().clientCertificate().header("X-API-Key", "k")));
    }

    @Test
    void theFingerprintIdentifiesTheKeyWithoutRevealingIt() {
        Authentication auth = classifier.classify(new FakeRequest().header("X-API-Key", "s3cret-key"));
        assertEquals(KeyFingerprint.of("s3cret-key"), auth.keyFingerprint());
        assertEquals(12, auth.keyFingerprint().length());
        assertNull(classifier.classify(new FakeRequest()).keyFingerprint());
    }

    @Test
    void keysFromHeadersWinOverQueryParameters() {
        Authentication auth = classifier.classify(new FakeRequest().header("X-API-Key", "a").query("api_key=b"));
        assertEquals(KeyFingerprint.of("a"), auth.keyFingerprint());
    }

    /** A principal some framework made from a key (Spring Security's style), and a person's. */
    static class KeyPrincipal implements java.security.Principal {
        @Override
        public String getName() {
            return "client-7";
        }
    }

    static final class SpecialKeyPrincipal extends KeyPrincipal {
    }

    @Test
    void principalsThatStandForAKeyAreApiKeyRequests() {
        java.security.Principal person = () -> "alice";
        java.security.Principal named = () -> "apikey:ops";
        AuthClassifier byName = new AuthClassifier(ApiKeyCredentials.DEFAULTS,
                new ApiKeyPrincipals(java.util.List.of("apikey:*"), java.util.List.of()));
        Authentication key = byName.classify(new FakeRequest().principal(named, "BASIC"));
        assertEquals(AuthClass.API_KEY, key.authClass());
        assertEquals(KeyFingerprint.of("apikey:ops"), key.keyFingerprint(), "the name may be the key: fingerprint only");
        assertEquals(AuthClass.USER, byName.classify(new FakeRequest().principal(person, "BASIC")).authClass());

        AuthClassifier byClass = new AuthClassifier(ApiKeyCredentials.DEFAULTS, new ApiKeyPrincipals(
                java.util.List.of(), java.util.List.of(KeyPrincipal.class.getName())));
        assertEquals(AuthClass.API_KEY, byClass.classify(new FakeRequest().principal(new SpecialKeyPrincipal(), null))
                .authClass(), "a subclass of a named class");
        assertEquals(AuthClass.USER, byClass.classify(new FakeRequest().principal(person, "FORM")).authClass());
        assertEquals(AuthClass.MTLS, byClass.classify(new FakeRequest().principal(new KeyPrincipal(), null)
                .clientCertificate()).authClass(), "a verified certificate still wins");
    }

    @Test
    void credentialsComeFromThePolicy() {
        AuthClassifier custom = new AuthClassifier(ApiKeyCredentials.of(new dev.hostguard.agent.policy.CredentialSettings(
                java.util.List.of("X-Service-Token"), java.util.List.of("Bearer"), java.util.List.of("token"),
                java.util.List.of(), java.util.List.of())));
        assertEquals(AuthClass.API_KEY, custom.classify(new FakeRequest().header("X-Service-Token", "t")).authClass());
        assertEquals(AuthClass.API_KEY, custom.classify(new FakeRequest().header("Authorization", "bearer t"))
                .authClass());
        assertEquals(AuthClass.API_KEY, custom.classify(new FakeRequest().query("token=t")).authClass());
        assertEquals(AuthClass.NONE, custom.classify(new FakeRequest().header("X-API-Key", "t")).authClass(),
                "the defaults are replaced, not added to");
    }
}
