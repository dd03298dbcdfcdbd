package dev.hostguard.agent.context;

import dev.hostguard.agent.policy.CredentialSettings;
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

    /** The credentials a policy names. */
    static ApiKeyCredentials of(CredentialSettings settings) {
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

    /**
     * A key a request presents.
     *
     * @param key the key
     * @param source where: {@code header X-API-Key}, {@code Authorization scheme Token}, {@code query parameter api_key}
     */
    public record Presented(String key, String source) {
    }

    /** Whether a key {@link Presented#source() came from} the {@code Authorization} header, by a scheme or by name. */
    static boolean inAuthorizationHeader(String source) {
        return source.startsWith("Authorization ") || source.equalsIgnoreCase("header Authorization");
    }

    /** @return the key the request presents, or {@code null} when it presents none */
    public Presented find(RequestView request) {
        for (String name : headers) {
            String value = request.header(name);
            if (value != null && !value.isBlank()) {
                return new Presented(value.trim(), "header " + name);
            }
        }
        Presented fromAuthorization = fromAuthorization(request.header("Authorization"));
        return fromAuthorization != null ? fromAuthorization : fromQuery(request.rawQuery());
    }

    private Presented fromAuthorization(String authorization) {
        if (authorization == null) {
            return null;
        }
        String value = authorization.trim();
        int space = value.indexOf(' ');
        if (space <= 0) {
            return null;
        }
        String scheme = value.substring(0, space);
        String credential = value.substring(space + 1).trim();
        return authorizationSchemes.contains(scheme.toLowerCase(Locale.ROOT)) && !credential.isEmpty()
                ? new Presented(credential, "Authorization scheme " + scheme) : null;
    }

    private Presented fromQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (eq > 0 && queryParameters.contains(name)) {
                String value = decode(pair.substring(eq + 1));
                if (!value.isBlank()) {
                    return new Presented(value, "query parameter " + name);
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
