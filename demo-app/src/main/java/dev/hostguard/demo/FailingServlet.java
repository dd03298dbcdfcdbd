package dev.hostguard.demo;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code /admin/fail}: always throws {@link Failure}. {@link DemoServer} maps that exception to an
 * error page, {@code /admin/on-error}, which the container reaches in an ERROR dispatch of the same
 * request.
 */
final class FailingServlet extends HttpServlet {

    /** What {@code /admin/fail} throws; the demo's error page is mapped to this type only. */
    static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message);
        }
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) {
        throw new Failure("simulated failure in " + request.getRequestURI());
    }
}
