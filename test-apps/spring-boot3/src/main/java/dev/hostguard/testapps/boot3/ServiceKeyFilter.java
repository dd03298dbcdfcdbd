package dev.hostguard.testapps.boot3;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The API-key filter of the Spring Security tutorials: a valid {@value #HEADER} header becomes a
 * {@link ServiceKeyAuthentication} in the security context; a wrong one is answered 401; without one the request
 * goes on unauthenticated (and the route's rule refuses it). The header is deliberately none of HostGuard's
 * default key headers: the agent must recognise the request by what Spring established, not by the header.
 */
final class ServiceKeyFilter extends OncePerRequestFilter {
    static final String HEADER = "X-Service-Key";
    /** The one client that holds the key. */
    static final String CLIENT = "billing-client";

    private final byte[] key;

    ServiceKeyFilter(String key) {
        this.key = key.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String presented = request.getHeader(HEADER);
        if (presented != null) {
            // isEqual's time depends on the lengths only, not on how much of the key matched
            if (!MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), key)) {
                response.sendError(HttpServletResponse.SC_UNAUTHORIZED, "wrong " + HEADER);
                return;
            }
            SecurityContextHolder.getContext().setAuthentication(new ServiceKeyAuthentication(CLIENT));
        }
        chain.doFilter(request, response);
    }
}
