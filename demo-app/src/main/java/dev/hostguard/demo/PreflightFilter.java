package dev.hostguard.demo;

import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * A "pre-flight" filter on {@code /admin/filtered/*}: it runs the request's action itself, the way
 * {@link ActionServlet} does, and answers without calling the rest of the chain, so no servlet of
 * the route ever runs.
 */
final class PreflightFilter extends HttpFilter {

    private final ActionServlet action;

    PreflightFilter(ActionServlet action) {
        this.action = action;
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException {
        action.handle(request, response);
    }
}
