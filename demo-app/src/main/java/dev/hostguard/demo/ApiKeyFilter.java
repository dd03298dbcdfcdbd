package dev.hostguard.demo;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Lets a request through only if its {@code X-API-Key} header equals the configured key. This is
 * the kind of machine credential HostGuard watches: a leaked key gives an attacker these routes.
 */
public final class ApiKeyFilter extends HttpFilter {

    static final String HEADER = "X-API-Key";

    private final byte[] expected;

    public ApiKeyFilter(String apiKey) {
        this.expected = apiKey.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String presented = request.getHeader(HEADER);
        // MessageDigest.isEqual takes time that depends on the presented length only, never on how
        // much of the key matched
        if (presented == null
                || !MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), expected)) {
            JsonError.write(response, HttpServletResponse.SC_UNAUTHORIZED, "missing or wrong " + HEADER);
            return;
        }
        chain.doFilter(request, response);
    }
}
