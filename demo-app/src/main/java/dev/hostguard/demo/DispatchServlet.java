package dev.hostguard.demo;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Hands the whole request, query string included, to another route of this context with a
 * {@link RequestDispatcher}: {@code /admin/forward} forwards to {@code /admin/exec},
 * {@code /admin/include} includes it. The target runs its action in a FORWARD or INCLUDE dispatch of
 * the same request, which is what these routes are for.
 */
final class DispatchServlet extends HttpServlet {

    private final String target;
    private final boolean include;

    private DispatchServlet(String target, boolean include) {
        this.target = target;
        this.include = include;
    }

    /** {@code RequestDispatcher.forward} to {@code target}: the target answers. */
    static DispatchServlet forwardTo(String target) {
        return new DispatchServlet(target, false);
    }

    /**
     * {@code RequestDispatcher.include} of {@code target}: this servlet answers 200 text/plain with the
     * target's output as the body (an included servlet cannot set the status or headers).
     */
    static DispatchServlet including(String target) {
        return new DispatchServlet(target, true);
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        RequestDispatcher dispatcher = request.getRequestDispatcher(target);
        if (include) {
            response.setStatus(HttpServletResponse.SC_OK);
            response.setContentType("text/plain");
            response.setCharacterEncoding("UTF-8");
            dispatcher.include(request, response);
        } else {
            dispatcher.forward(request, response);
        }
    }
}
