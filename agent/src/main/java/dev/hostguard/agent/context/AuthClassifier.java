package dev.hostguard.agent.context;

import dev.hostguard.agent.policy.AuthClass;
import dev.hostguard.agent.policy.CredentialSettings;
import dev.hostguard.agent.policy.PrincipalPatterns;
import java.security.Principal;
import java.util.Objects;

/**
 * Classifies a request by what the application and the container established, never by which headers it carries.
 * {@code user} must be earned: only a person's login ({@link Logins}) makes it.
 *
 * <ol>
 *   <li>A message a consumer handles: {@code message}, whatever the message carries.</li>
 *   <li>A client certificate the container verified: {@code mtls}.</li>
 *   <li>A principal the policy names in {@code api-key-principals}: {@code api-key}, with or without a key header.</li>
 *   <li>A person's login: {@code user}; next to an API key only when the login is kept in a session (a form,
 *       remember-me, OAuth2 login). A per-request login (BASIC) beside a key proves nothing beyond the key.</li>
 *   <li>Any other principal (the application's own token for a key, a pre-authenticated header, a client's bearer
 *       token, one the agent does not know): {@code api-key}, never {@code user}.</li>
 *   <li>An API key in a header, {@code Authorization} scheme or query parameter the credentials list:
 *       {@code api-key}.</li>
 *   <li>Otherwise (an anonymous principal included) {@code none}; a bogus {@code Authorization: Bearer}, a cookie or
 *       any other header changes nothing, since only what the application verified counts.</li>
 * </ol>
 */
public final class AuthClassifier {
    private final CredentialSettings settings;
    private final ApiKeyCredentials credentials;
    /** {@code null} when the policy names none. */
    private final PrincipalMatcher apiKeyPrincipals;
    /** Made at the first principal: a service whose requests carry none never loads it. */
    private Logins logins;

    public AuthClassifier(CredentialSettings settings) {
        this.settings = settings;
        this.credentials = ApiKeyCredentials.of(settings);
        this.apiKeyPrincipals = matcher(settings.apiKeyPrincipals());
    }

    /** {@code null} for none: a policy that names no principals loads no matcher. */
    private static PrincipalMatcher matcher(PrincipalPatterns patterns) {
        return patterns.isEmpty() ? null : new PrincipalMatcher(patterns);
    }

    /** A benign race: two threads may each make one; either is the same immutable object. */
    private Logins logins() {
        Logins made = logins;
        if (made == null) {
            made = new Logins(matcher(settings.personPrincipals()), settings.bearerTokens());
            logins = made;
        }
        return made;
    }

    /**
     * A request's authentication and what it was told from: the key the request presents, which does not change
     * for a request object, and what the application may still establish while it serves the request (a filter may
     * log a user in, or out, after an earlier one ran).
     */
    public static final class Classification {
        private final Authentication auth;
        private final String keyFingerprint;
        private final String keySource;
        private final Principal principal;
        private final String authType;
        private final boolean certificate;

        private Classification(Authentication auth, String keyFingerprint, String keySource, Principal principal,
                               String authType, boolean certificate) {
            this.auth = auth;
            this.keyFingerprint = keyFingerprint;
            this.keySource = keySource;
            this.principal = principal;
            this.authType = authType;
            this.certificate = certificate;
        }

        public Authentication auth() {
            return auth;
        }
    }

    public Classification classify(RequestView request) {
        if (request.messagingSystem() != null) { // no caller to identify: a message's headers are anyone's to set
            return new Classification(new Authentication(AuthClass.MESSAGE, null, null, "a message consumed from "
                    + request.messagingSystem() + " " + request.path()), null, null, null, null, false);
        }
        ApiKeyCredentials.Presented key = credentials.find(request);
        return classify(request.principal(), request.authType(), request.hasVerifiedClientCertificate(),
                key == null ? null : KeyFingerprint.of(key.key()), key == null ? null : key.source());
    }

    /**
     * Classifies a request again, reading again only what the application may establish while it serves it.
     *
     * @return {@code earlier} when none of that changed
     */
    public Classification reclassify(RequestView request, Classification earlier) {
        Principal principal = request.principal();
        String authType = request.authType();
        boolean certificate = request.hasVerifiedClientCertificate();
        return principal == earlier.principal && Objects.equals(authType, earlier.authType)
                && certificate == earlier.certificate ? earlier
                : classify(principal, authType, certificate, earlier.keyFingerprint, earlier.keySource);
    }

    private Classification classify(Principal principal, String authType, boolean certificate, String keyFingerprint,
                                    String keySource) {
        return new Classification(authentication(principal, authType, certificate, keyFingerprint, keySource),
                keyFingerprint, keySource, principal, authType, certificate);
    }

    private Authentication authentication(Principal principal, String authType, boolean certificate,
                                          String keyFingerprint, String keySource) {
        if (certificate || "CLIENT_CERT".equalsIgnoreCase(authType)) {
            return new Authentication(AuthClass.MTLS, keyFingerprint, keySource, certificate
                    ? "a client certificate the server verified" : "the server's CLIENT_CERT login");
        }
        if (principal != null && apiKeyPrincipals != null && apiKeyPrincipals.matches(principal)) {
            return new Authentication(AuthClass.API_KEY, keyFingerprint != null ? keyFingerprint : nameOf(principal),
                    keySource, "principal " + principal.getClass().getName() + " named in credentials.api-key-principals");
        }
        Logins.Login login = principal == null ? null : logins().of(principal, authType);
        if (login == null || login.anonymous()) {
            String none = login == null ? "no login" : login.reason();
            return keyFingerprint != null
                    ? new Authentication(AuthClass.API_KEY, keyFingerprint, keySource, "an API key in " + keySource
                            + " (" + none + ")")
                    : new Authentication(AuthClass.NONE, null, null, none + " and no API key");
        }
        if (login.bearerToken() && keySource != null && ApiKeyCredentials.inAuthorizationHeader(keySource)) {
            keyFingerprint = null; // the "key" the Authorization header holds is the bearer token the login read
            keySource = null;
        }
        if (login.person()) {
            if (keyFingerprint == null || login.session()) {
                return new Authentication(AuthClass.USER, keyFingerprint, keySource, login.reason());
            }
            return new Authentication(AuthClass.API_KEY, keyFingerprint, keySource, "an API key in " + keySource
                    + " beside " + login.reason() + ", a per-request login that does not outrank the key");
        }
        return new Authentication(AuthClass.API_KEY, keyFingerprint != null ? keyFingerprint : nameOf(principal),
                keySource, login.reason(), principal.getClass().getName());
    }

    /** The principal that stands for a key is named after it, perhaps by the key itself: only its fingerprint. */
    private static String nameOf(Principal principal) {
        String name = principal.getName();
        return name == null ? null : KeyFingerprint.of(name);
    }
}
