package dev.hostguard.demo;

import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ErrorPageErrorHandler;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.security.ConstraintMapping;
import org.eclipse.jetty.ee10.servlet.security.ConstraintSecurityHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.security.Constraint;
import org.eclipse.jetty.security.HashLoginService;
import org.eclipse.jetty.security.UserStore;
import org.eclipse.jetty.security.authentication.BasicAuthenticator;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.security.Password;

/**
 * The Jetty wiring: which route needs which credential and runs which action.
 * <ul>
 *   <li>{@code /health}: no auth, no host access</li>
 *   <li>{@code /admin/*}: API key ({@link ApiKeyFilter}), the credential class HostGuard guards ({@code POST
 *       /admin/backup} runs one legitimate command, see {@link BackupServlet}); a few
 *       of its routes reach the action table through a forward, an include, an error page or a
 *       filter instead of a plain servlet</li>
 *   <li>{@code /ops/*}: a person logged in with BASIC auth, allowed the same operations</li>
 *   <li>{@code /public/exec}, {@code /public/file}: routes someone forgot to protect</li>
 *   <li>{@code /admin|ops|public/async-start}, {@code .../async-dispatch}: the exec action through the servlet
 *       async API ({@link AsyncActionServlet}), with that area's credentials</li>
 *   <li>{@code /admin|ops|public/ws}: a JSR 356 WebSocket running an action per message ({@link ActionSocket}).
 *       Jetty puts its {@code WebSocketUpgradeFilter} first in the chain, ahead of {@link ApiKeyFilter}: the
 *       {@code /admin/ws} handshake is not checked for its key (one more forgotten route, as an injected endpoint
 *       would be); {@code /ops/ws} is behind the BASIC login, which runs before any filter</li>
 * </ul>
 */
final class DemoServer {

    private static final String OPS_ROLE = "ops";
    private static final Map<String, String> DOCKER_PS = Map.of("cmd", "docker ps");

    private DemoServer() {
    }

    static Server create(DemoConfig config) {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(config.bind());
        connector.setPort(config.port());
        server.addConnector(connector);
        server.setRequestLog(new RequestLogger());
        server.setHandler(routes(config));
        server.setStopAtShutdown(true); // SIGTERM runs Jetty's shutdown hook: graceful stop
        server.setStopTimeout(5_000);
        return server;
    }

    private static ServletContextHandler routes(DemoConfig config) {
        ServletContextHandler context = new ServletContextHandler("/", ServletContextHandler.SECURITY);
        context.addServlet(new HealthServlet(), "/health");

        FilterHolder apiKey = new FilterHolder(new ApiKeyFilter(config.apiKey()));
        apiKey.setAsyncSupported(true); // the async routes below start async behind it
        context.addFilter(apiKey, "/admin/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(ActionServlet.fixed(Actions.DEFAULT_PROCESS_ACTION, DOCKER_PS), "/admin/containers");
        context.addServlet(ActionServlet.fixed(Actions.DEFAULT_FILE_ACTION, Map.of("path", "/proc/self/cmdline")),
                "/admin/debug/cmdline");
        context.addServlet(ActionServlet.chosenByRequest(), "/admin/exec");
        context.addServlet(ActionServlet.fixed(Actions.DEFAULT_FILE_ACTION, Map.of()), "/admin/files");
        context.addServlet(ActionServlet.fileChosenByRequest(), "/admin/file");
        context.addServlet(ActionServlet.fixed("docker-list", Map.of()), "/admin/docker/containers");
        context.addServlet(ActionServlet.fixed("docker-run", Map.of()), "/admin/docker/run");
        context.addServlet(ActionServlet.fixed("metrics", Map.of()), "/admin/metrics");
        context.addServlet(new BackupServlet(config.backupSource(), config.backupTarget()), "/admin/backup");
        dispatchRoutes(context);

        context.addServlet(ActionServlet.fixed(Actions.DEFAULT_PROCESS_ACTION, DOCKER_PS), "/ops/containers");
        context.addServlet(ActionServlet.chosenByRequest(), "/ops/exec");
        context.addServlet(ActionServlet.fileChosenByRequest(), "/ops/file");

        context.addServlet(ActionServlet.chosenByRequest(), "/public/exec");
        context.addServlet(ActionServlet.fileChosenByRequest(), "/public/file");

        for (String area : new String[] {"/admin", "/ops", "/public"}) {
            asyncServlet(context, AsyncActionServlet.start(), area + "/async-start");
            asyncServlet(context, AsyncActionServlet.dispatch(), area + "/async-dispatch");
        }

        JakartaWebSocketServletContainerInitializer.configure(context, (servletContext, container) -> {
            for (jakarta.websocket.server.ServerEndpointConfig endpoint : ActionSocket.configs("/admin", "/ops", "/public")) {
                container.addEndpoint(endpoint);
            }
        });

        context.setSecurityHandler(opsLogin(config));
        return context;
    }

    /**
     * The action of {@code /admin/exec}, reached through each other way a servlet container runs
     * application code for a request. Only the REQUEST dispatch passes {@link ApiKeyFilter}, as
     * usual: the dispatches below are the same, already authenticated request.
     * <ul>
     *   <li>{@code /admin/forward}: FORWARD dispatch to {@code /admin/exec}</li>
     *   <li>{@code /admin/include}: INCLUDE dispatch of {@code /admin/exec}</li>
     *   <li>{@code /admin/fail}: throws; the error page {@code /admin/on-error} runs the action in the
     *       ERROR dispatch, from the failed request's own parameters</li>
     *   <li>{@code /admin/filtered/*}: {@link PreflightFilter} runs the action and answers; no
     *       servlet runs</li>
     * </ul>
     */
    private static void dispatchRoutes(ServletContextHandler context) {
        context.addServlet(DispatchServlet.forwardTo("/admin/exec"), "/admin/forward");
        context.addServlet(DispatchServlet.including("/admin/exec"), "/admin/include");

        context.addServlet(new FailingServlet(), "/admin/fail");
        context.addServlet(ActionServlet.chosenByRequest(), "/admin/on-error");
        ErrorPageErrorHandler errorPages = new ErrorPageErrorHandler();
        errorPages.addErrorPage(FailingServlet.Failure.class, "/admin/on-error");
        context.setErrorHandler(errorPages);

        context.addFilter(new FilterHolder(new PreflightFilter(ActionServlet.chosenByRequest())), "/admin/filtered/*",
                EnumSet.of(DispatcherType.REQUEST));
    }

    private static void asyncServlet(ServletContextHandler context, AsyncActionServlet servlet, String path) {
        context.addServlet(servlet, path).setAsyncSupported(true);
    }

    /** The servlet container's own BASIC login in front of /ops/*, with one in-memory user. */
    private static ConstraintSecurityHandler opsLogin(DemoConfig config) {
        UserStore users = new UserStore();
        users.addUser(config.opsUser(), new Password(config.opsPassword()), new String[] {OPS_ROLE});
        HashLoginService loginService = new HashLoginService("hostguard-demo ops");
        loginService.setUserStore(users);

        ConstraintMapping opsOnly = new ConstraintMapping();
        opsOnly.setPathSpec("/ops/*");
        opsOnly.setConstraint(Constraint.from(OPS_ROLE));

        ConstraintSecurityHandler security = new ConstraintSecurityHandler();
        security.setAuthenticator(new BasicAuthenticator());
        security.setLoginService(loginService);
        security.setRealmName("hostguard-demo ops");
        security.addConstraintMapping(opsOnly);
        return security;
    }
}
