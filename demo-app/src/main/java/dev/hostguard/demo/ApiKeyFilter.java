package dev.hostguard.demo;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Lets a request through only if its {@code X-API-Key} header equals one of the configured keys (one per
 * client: {@code API_KEY} may list several, separated by commas). This is the kind of machine credential
 * HostGuard watches: a leaked key gives an attacker these routes.
 */
public final class ApiKeyFilter extends HttpFilter {

    static final String HEADER = "X-API-Key";

    private final List<byte[]> expected = new ArrayList<>();

    /** @param apiKeys one key, or several separated by commas */
    public ApiKeyFilter(String apiKeys) {
        for (String key : apiKeys.split(",")) {
            if (!key.isBlank()) {
                expected.add(key.trim().getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String presented = request.getHeader(HEADER);
        // MessageDigest.isEqual takes time that depends on the presented length only, never on how
        // much of the key matched
        if (presented == null || !known(presented.getBytes(StandardCharsets.UTF_8))) {
            JsonError.write(response, HttpServletResponse.SC_UNAUTHORIZED, "missing or wrong " + HEADER);
            return;
        }
        chain.doFilter(request, response);
    }

    /** Compares with every key, a match or not, so the time taken tells nothing of which key matched. */
    private boolean known(byte[] presented) {
        boolean known = false;
        for (byte[] key : expected) {
            known |= MessageDigest.isEqual(presented, key);
        }
        return known;
    }
}
