package dev.hostguard.demo;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link Actions} action per request and answers 200 text/plain with its result, or 500
 * {@code {"error":...}}. Every route of the demo that touches the host is an instance of this
 * class; they differ only in which action runs and which parameters are fixed.
 */
public final class ActionServlet extends HttpServlet {

    private static final Logger LOG = LoggerFactory.getLogger(ActionServlet.class);

    /** Null means: the request chooses the action with {@code api=}, among {@link #choices}. */
    private final String action;
    private final Map<String, String> fixedParams;
    /** The actions {@code api=} may name; null when the action is fixed. */
    private final Set<String> choices;
    /** The action when the request names none. */
    private final String defaultAction;

    private ActionServlet(String action, Map<String, String> fixedParams, Set<String> choices, String defaultAction) {
        this.action = action;
        this.fixedParams = fixedParams;
        this.choices = choices;
        this.defaultAction = defaultAction;
    }

    /** Always the same action; request parameters fill in what fixedParams leaves open. */
    static ActionServlet fixed(String action, Map<String, String> fixedParams) {
        return new ActionServlet(action, fixedParams, null, action);
    }

    /**
     * {@code ?cmd=...&api=<action>}, any action of the table (a process start when {@code api} is missing): what an
     * injected handler effectively does.
     */
    public static ActionServlet chosenByRequest() {
        return new ActionServlet(null, Map.of(), Actions.names(), Actions.DEFAULT_PROCESS_ACTION);
    }

    /** {@code ?api=<file action>&path=...[&data=...]}: one of {@link Actions#fileActions()}. */
    static ActionServlet fileChosenByRequest() {
        return new ActionServlet(null, Map.of(), Actions.fileActions(), Actions.DEFAULT_FILE_ACTION);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        handle(request, response);
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        handle(request, response);
    }

    /** Runs the action for this request and answers; also called by {@link PreflightFilter}. */
    void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Map<String, String> params = new HashMap<>();
        request.getParameterMap().forEach((name, values) -> params.put(name, values[0]));
        params.putAll(fixedParams);
        String chosen = action != null ? action : params.getOrDefault("api", defaultAction);
        if (action == null && !choices.contains(chosen)) {
            JsonError.write(response, HttpServletResponse.SC_BAD_REQUEST, "unknown api '" + chosen + "' here; known: "
                    + String.join(", ", choices));
            return;
        }
        try {
            String result = Actions.run(chosen, params);
            response.setStatus(HttpServletResponse.SC_OK);
            response.setContentType("text/plain");
            response.setCharacterEncoding("UTF-8");
            response.getWriter().write(result);
        } catch (Exception e) {
            LOG.warn("action {} on {} failed: {}", chosen, request.getRequestURI(), e.toString());
            JsonError.write(response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, String.valueOf(e.getMessage()));
        }
    }
}
