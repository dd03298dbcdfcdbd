package dev.hostguard.agent.context;

import dev.hostguard.agent.policy.AuthClass;
import java.security.Principal;
import java.util.Locale;

/**
 * Classifies a request by what the application and the container verified, never by which headers it carries.
 *
 * <ol>
 *   <li>A client certificate the container verified: {@code mtls}.</li>
 *   <li>A principal, when the request presents no API key: {@code user}.</li>
 *   <li>A principal from a form (session) login, even with a key: {@code user}. Any other principal next to a
 *       key (BASIC, or one a filter derived from the key itself) proves nothing beyond the key.</li>
 *   <li>An API key: {@code api-key}.</li>
 *   <li>A principal that stands for a key ({@link ApiKeyPrincipals}, from the policy file): {@code api-key},
 *       even with no key header the agent knows.</li>
 *   <li>Otherwise {@code none}; a bogus {@code Authorization: Bearer}, a cookie or any other header changes
 *       nothing, since only what the application verified counts.</li>
 * </ol>
 */
public final class AuthClassifier {
    private final ApiKeyCredentials credentials;
    private final ApiKeyPrincipals keyPrincipals;

    public AuthClassifier(ApiKeyCredentials credentials) {
        this(credentials, ApiKeyPrincipals.NONE);
    }

    public AuthClassifier(ApiKeyCredentials credentials, ApiKeyPrincipals keyPrincipals) {
        this.credentials = credentials;
        this.keyPrincipals = keyPrincipals;
    }

    public Authentication classify(RequestView request) {
        String key = credentials.find(request);
        String fingerprint = key == null ? null : KeyFingerprint.of(key);
        if (!keyPrincipals.isEmpty() && !request.hasVerifiedClientCertificate()) {
            Principal principal = request.principal();
            if (keyPrincipals.matches(principal)) {
                // the principal is the key: its name may be the key itself, so only its fingerprint is kept
                return new Authentication(AuthClass.API_KEY, fingerprint != null ? fingerprint
                        : principal.getName() == null ? null : KeyFingerprint.of(principal.getName()));
            }
        }
        return new Authentication(classOf(request, key != null), fingerprint);
    }

    /**
     * Classifies a request again that was classified before as {@code earlier}, reading again only what the
     * application may establish while it serves the request (a principal, its scheme, a verified certificate: a
     * filter may log a user in, or out, after an earlier one ran). The key it presents is read from its headers and
     * query, which do not change for a request object, so {@code earlier}'s fingerprint stands.
     *
     * @return {@code earlier} when nothing changed
     */
    public Authentication reclassify(RequestView request, Authentication earlier) {
        if (!keyPrincipals.isEmpty()) {
            // a principal set since may stand for a key, and its name is then the fingerprint: classify in full
            Authentication now = classify(request);
            return now.equals(earlier) ? earlier : now;
        }
        AuthClass authClass = classOf(request, earlier.keyFingerprint() != null);
        return authClass == earlier.authClass() ? earlier : new Authentication(authClass, earlier.keyFingerprint());
    }

    private static AuthClass classOf(RequestView request, boolean keyPresented) {
        if (request.hasVerifiedClientCertificate()) {
            return AuthClass.MTLS;
        }
        if (request.hasPrincipal() && (!keyPresented || isSessionLogin(request.authType()))) {
            return AuthClass.USER;
        }
        return keyPresented ? AuthClass.API_KEY : AuthClass.NONE;
    }

    private static boolean isSessionLogin(String authType) {
        return authType != null && authType.toUpperCase(Locale.ROOT).equals("FORM");
    }
}
