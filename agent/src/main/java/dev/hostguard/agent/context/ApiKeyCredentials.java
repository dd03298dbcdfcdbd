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

    /**
     * {@code <scheme> <key>}, spaces around either trimmed: read in place, so a request whose header holds another
     * scheme ({@code Basic}, {@code Bearer}), as nearly every classified one does, allocates nothing here.
     */
    private Presented fromAuthorization(String authorization) {
        if (authorization == null) {
            return null;
        }
        int from = 0;
        int to = authorization.length();
        while (from < to && authorization.charAt(from) <= ' ') {
            from++;
        }
        while (to > from && authorization.charAt(to - 1) <= ' ') {
            to--;
        }
        int space = authorization.indexOf(' ', from);
        if (space < 0 || space >= to || !isKeyScheme(authorization, from, space)) {
            return null;
        }
        int credential = space + 1;
        while (credential < to && authorization.charAt(credential) <= ' ') {
            credential++;
        }
        return credential == to ? null : new Presented(authorization.substring(credential, to),
                "Authorization scheme " + authorization.substring(from, space));
    }

    /** Whether {@code text[from, to)} is one of the schemes, whatever its case. */
    private boolean isKeyScheme(String text, int from, int to) {
        for (String scheme : authorizationSchemes) { // lower case
            if (scheme.length() == to - from && sameIgnoringCase(text, from, scheme)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameIgnoringCase(String text, int from, String lowerCase) {
        for (int i = 0; i < lowerCase.length(); i++) {
            if (Character.toLowerCase(text.charAt(from + i)) != lowerCase.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The first named parameter with a value that is not blank. Names are compared in place unless percent- or
     * plus-encoded, so a query without a key allocates nothing here.
     */
    private Presented fromQuery(String rawQuery) {
        if (rawQuery == null) {
            return null;
        }
        int length = rawQuery.length();
        for (int from = 0; from < length; ) {
            int to = rawQuery.indexOf('&', from);
            to = to < 0 ? length : to;
            int eq = from; // not indexOf: a search past this pair would make a long query of bare names quadratic
            while (eq < to && rawQuery.charAt(eq) != '=') {
                eq++;
            }
            if (eq > from && eq < to) {
                String name = parameterNamed(rawQuery, from, eq);
                if (name != null) {
                    String value = decode(rawQuery.substring(eq + 1, to));
                    if (!value.isBlank()) {
                        return new Presented(value, "query parameter " + name);
                    }
                }
            }
            from = to + 1;
        }
        return null;
    }

    /** The query parameter {@code rawQuery[from, to)} names once decoded; {@code null} if none. */
    private String parameterNamed(String rawQuery, int from, int to) {
        boolean encoded = false;
        for (int i = from; i < to && !encoded; i++) {
            char c = rawQuery.charAt(i);
            encoded = c == '%' || c == '+';
        }
        String decoded = encoded ? decode(rawQuery.substring(from, to)) : null;
        for (String name : queryParameters) {
            if (decoded != null ? decoded.equals(name)
                    : name.length() == to - from && rawQuery.regionMatches(from, name, 0, name.length())) {
                return name;
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
