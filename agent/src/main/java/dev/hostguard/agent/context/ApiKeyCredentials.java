package dev.hostguard.agent.context;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Where a request can carry an API key: headers, {@code Authorization} schemes and query parameters.
 *
 * @param headers header names (compared case-insensitively)
 * @param authorizationSchemes {@code Authorization: <scheme> <key>} schemes (case-insensitive)
 * @param queryParameters query parameter names (exact)
 */
public record ApiKeyCredentials(List<String> headers, List<String> authorizationSchemes,
                                List<String> queryParameters) {

    public static final ApiKeyCredentials DEFAULTS = new ApiKeyCredentials(
            List.of("X-API-Key", "Api-Key", "X-Api-Token"),
            List.of("ApiKey", "Api-Key", "Key", "Token"),
            List.of("api_key", "apikey", "api-key"));

    /** The credentials a policy names. */
    public static ApiKeyCredentials of(dev.hostguard.agent.policy.CredentialSettings settings) {
        return new ApiKeyCredentials(settings.headers(), settings.authorizationSchemes(), settings.queryParameters());
    }

    public ApiKeyCredentials {
        headers = List.copyOf(headers);
        String[] lowerCase = new String[authorizationSchemes.size()]; // a loop, not a stream: start-up path
        for (int i = 0; i < lowerCase.length; i++) {
            lowerCase[i] = authorizationSchemes.get(i).toLowerCase(Locale.ROOT);
        }
        authorizationSchemes = List.of(lowerCase);
        queryParameters = List.copyOf(queryParameters);
    }

    /** @return the key the request presents, or {@code null} when it presents none */
    public String find(RequestView request) {
        for (String name : headers) {
            String value = request.header(name);
            if (value != null && !value.isBlank()) {
                return value.trim();
            }
        }
        String fromAuthorization = fromAuthorization(request.header("Authorization"));
        if (fromAuthorization != null) {
            return fromAuthorization;
        }
        return fromQuery(request.rawQuery());
    }

    private String fromAuthorization(String authorization) {
        if (authorization == null) {
            return null;
        }
        String value = authorization.trim();
        int space = value.indexOf(' ');
        if (space <= 0) {
            return null;
        }
        String scheme = value.substring(0, space).toLowerCase(Locale.ROOT);
        String credential = value.substring(space + 1).trim();
        return authorizationSchemes.contains(scheme) && !credential.isEmpty() ? credential : null;
    }

    private String fromQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (eq > 0 && queryParameters.contains(name)) {
                String value = decode(pair.substring(eq + 1));
                if (!value.isBlank()) {
                    return value;
                }
            }
        }
        return null;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return s;
        }
    }
}
