package dev.hostguard.agent.policy;

import java.util.List;

/**
 * Where requests carry an API key, and which principals stand for a key rather than a person.
 *
 * @param headers header names (case-insensitive)
 * @param authorizationSchemes {@code Authorization: <scheme> <key>} schemes (case-insensitive)
 * @param queryParameters query parameter names (exact)
 * @param principalNames globs on {@code Principal.getName()}
 * @param principalClasses principal classes, by exact name or the name of a super type
 */
public record CredentialSettings(List<String> headers, List<String> authorizationSchemes,
                                 List<String> queryParameters, List<String> principalNames,
                                 List<String> principalClasses) {

    public static final CredentialSettings DEFAULTS = new CredentialSettings(
            List.of("X-API-Key", "Api-Key", "X-Api-Token"),
            List.of("ApiKey", "Api-Key", "Key", "Token"),
            List.of("api_key", "apikey", "api-key"),
            List.of(),
            List.of());

    public CredentialSettings {
        headers = List.copyOf(headers);
        authorizationSchemes = List.copyOf(authorizationSchemes);
        queryParameters = List.copyOf(queryParameters);
        principalNames = List.copyOf(principalNames);
        principalClasses = List.copyOf(principalClasses);
    }
}
