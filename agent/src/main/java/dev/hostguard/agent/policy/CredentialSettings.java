package dev.hostguard.agent.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
 */
public record CredentialSettings(List<String> headers, List<String> authorizationSchemes,
                                 List<String> queryParameters, boolean replacesDefaults,
                                 PrincipalPatterns apiKeyPrincipals, PrincipalPatterns personPrincipals,
                                 BearerTokens bearerTokens) {

    public static final CredentialSettings DEFAULTS = new CredentialSettings(
            List.of("X-API-Key", "Api-Key", "X-Api-Token"),
            List.of("ApiKey", "Api-Key", "Key", "Token"),
            List.of("api_key", "apikey", "api-key"),
            false, PrincipalPatterns.NONE, PrincipalPatterns.NONE, BearerTokens.CLIENTS);

    public CredentialSettings {
        headers = List.copyOf(headers);
        authorizationSchemes = List.copyOf(authorizationSchemes);
        queryParameters = List.copyOf(queryParameters);
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
