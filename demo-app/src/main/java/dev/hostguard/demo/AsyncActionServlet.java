package dev.hostguard.demo;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The action of {@code ?cmd=&api=<action>} (as {@link ActionServlet#chosenByRequest()}) run through the servlet's
 * asynchronous API, which hands the request to another container thread. Plain servlet API, so the Jetty demo and
 * the integration tests' Tomcat app serve the same code; filters in front of it must support async too.
 * <ul>
 *   <li>{@link #start()}: {@code startAsync()}, then {@code AsyncContext.start(work)}: the container runs the
 *       action on one of its threads, which answers (as {@code ActionServlet}) and completes</li>
 *   <li>{@link #dispatch()}: {@code startAsync()}, then {@code AsyncContext.dispatch()}: the container enters this
 *       servlet again, in an ASYNC dispatch on one of its threads, where the action runs and answers</li>
 * </ul>
 */
public final class AsyncActionServlet extends HttpServlet {

    /** Longer than a process action's own limit. */
    private static final long TIMEOUT_MILLIS = TimeUnit.SECONDS.toMillis(ProcessOutcome.TIMEOUT_SECONDS + 5);

    private final boolean dispatch;
    private final ActionServlet action = ActionServlet.chosenByRequest();

    private AsyncActionServlet(boolean dispatch) {
        this.dispatch = dispatch;
    }

    /** {@code AsyncContext.start(work)}. */
    public static AsyncActionServlet start() {
        return new AsyncActionServlet(false);
    }

    /** {@code AsyncContext.dispatch()} back to this servlet, which runs the action in the ASYNC dispatch. */
    public static AsyncActionServlet dispatch() {
        return new AsyncActionServlet(true);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (request.getDispatcherType() == DispatcherType.ASYNC) {
            action.handle(request, response);
            return;
        }
        AsyncContext async = request.startAsync();
        async.setTimeout(TIMEOUT_MILLIS);
        if (dispatch) {
            async.dispatch();
            return;
        }
        async.start(() -> {
            try {
                action.handle((HttpServletRequest) async.getRequest(), (HttpServletResponse) async.getResponse());
            } catch (IOException | RuntimeException e) {
                action.log("async action failed: " + e);
            } finally {
                async.complete();
            }
        });
    }
}
