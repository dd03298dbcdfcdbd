package dev.hostguard.agent.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where requests carry an API key, and which principals stand for a key, for a person, or (bearer tokens) for
 * either.
 *
 * @param headers header names (case-insensitive): the defaults and the policy's own, or only the policy's
 * @param authorizationSchemes {@code Authorization: <scheme> <key>} schemes (case-insensitive), likewise
 * @param queryParameters query parameter names (exact), likewise
 * @param replacesDefaults whether the three lists are the policy's alone ({@code replace-defaults: true})
 * @param apiKeyPrincipals principals that stand for a key, whatever else they look like
 * @param personPrincipals principals that stand for a person's login the agent does not know of itself
 * @param bearerTokens whose a resource server's bearer tokens are
 * @param keys API keys by name ({@code credentials.keys}): the name to the key's fingerprint, in the file's order
 */
public record CredentialSettings(List<String> headers, List<String> authorizationSchemes,
                                 List<String> queryParameters, boolean replacesDefaults,
                                 PrincipalPatterns apiKeyPrincipals, PrincipalPatterns personPrincipals,
                                 BearerTokens bearerTokens, Map<String, String> keys) {
    /** How many hex digits of the key's SHA-256 a fingerprint keeps. */
    public static final int FINGERPRINT_LENGTH = 12;

    public static final CredentialSettings DEFAULTS = new CredentialSettings(
            List.of("X-API-Key", "Api-Key", "X-Api-Token"),
            List.of("ApiKey", "Api-Key", "Key", "Token"),
            List.of("api_key", "apikey", "api-key"),
            false, PrincipalPatterns.NONE, PrincipalPatterns.NONE, BearerTokens.CLIENTS, Map.of());

    /**
     * Whether {@code text} is what {@code api_key.fingerprint} holds: the first 12 hex digits (lower case) of the
     * key's SHA-256. A loop, not a regular expression: this class loads at every start-up, and a compiled pattern
     * would load some 13 classes of {@code java.util.regex} into services that never use one.
     */
    public static boolean isFingerprint(String text) {
        if (text == null || text.length() != FINGERPRINT_LENGTH) {
            return false;
        }
        for (int i = 0; i < FINGERPRINT_LENGTH; i++) {
            char c = text.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    public CredentialSettings {
        headers = List.copyOf(headers);
        authorizationSchemes = List.copyOf(authorizationSchemes);
        queryParameters = List.copyOf(queryParameters);
        keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
    }

    /** The name {@code credentials.keys} gives a fingerprint, or {@code null}. */
    public String keyName(String fingerprint) {
        for (Map.Entry<String, String> key : keys.entrySet()) {
            if (key.getValue().equals(fingerprint)) {
                return key.getKey();
            }
        }
        return null;
    }

    /**
     * The default names followed by {@code added}, each once ({@code ignoringCase}: as headers and schemes are
     * compared).
     */
    public static List<String> withDefaults(List<String> defaults, List<String> added, boolean ignoringCase) {
        List<String> all = new ArrayList<>(defaults);
        for (String name : added) {
            boolean known = false;
            for (String existing : all) {
                known |= ignoringCase ? existing.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))
                        : existing.equals(name);
            }
            if (!known) {
                all.add(name);
            }
        }
        return all;
    }
}
