package dev.hostguard.it.app;

import dev.hostguard.demo.ActionServlet;
import dev.hostguard.demo.ActionSocket;
import dev.hostguard.demo.ApiKeyFilter;
import dev.hostguard.demo.AsyncActionServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.authenticator.BasicAuthenticator;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.apache.tomcat.util.descriptor.web.LoginConfig;
import org.apache.tomcat.util.descriptor.web.SecurityCollection;
import org.apache.tomcat.util.descriptor.web.SecurityConstraint;
import org.apache.tomcat.websocket.server.WsSci;

/**
 * A third guarded service, on embedded Tomcat 11, serving the demo's servlets (so Jetty and Tomcat run the same
 * application code). Run with class path = this module's test classes + Tomcat's jars + hostguard-demo.jar, Tomcat
 * first (the demo jar carries Jetty's copy of the servlet API).
 *
 * <ul>
 *   <li>{@code /admin/exec}, {@code /admin/async-start}, {@code /admin/async-dispatch}: the demo's
 *       {@link ApiKeyFilter} (env {@code API_KEY}), REQUEST dispatches only, as usual</li>
 *   <li>{@code /user/...}: Tomcat's BASIC login, env {@code OPS_USER}/{@code OPS_PASSWORD}</li>
 *   <li>{@code /open/...}: no authentication</li>
 * </ul>
 * {@code exec} is {@link ActionServlet#chosenByRequest()}; {@code async-start} and {@code async-dispatch} are
 * {@link AsyncActionServlet#start()} and {@link AsyncActionServlet#dispatch()}; {@code ws} is the demo's JSR 356
 * {@link ActionSocket}, upgraded by Tomcat's {@code WsFilter}, which runs after the area's filter and login. Readiness line:
 * {@code tomcat-app listening on http://127.0.0.1:<port>}.
 */
public final class TomcatApp {
    private static final String OPS_ROLE = "ops";

    private TomcatApp() {
    }

    public static void main(String[] args) throws Exception {
        AppEnvironment env = AppEnvironment.read("tomcat-app");
        String apiKey = env.apiKey();
        String opsUser = env.opsUser();
        String opsPassword = env.opsPassword();
        int port = env.port();

        Path base = Files.createTempDirectory("tomcat-app");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(port);
        connector.setProperty("address", "127.0.0.1");
        tomcat.getService().addConnector(connector);
        tomcat.setConnector(connector);

        Context context = tomcat.addContext("", base.toString());
        tomcat.addUser(opsUser, opsPassword);
        tomcat.addRole(opsUser, OPS_ROLE);
        LoginConfig basic = new LoginConfig();
        basic.setAuthMethod("BASIC");
        basic.setRealmName("tomcat-app ops");
        context.setLoginConfig(basic);
        context.getPipeline().addValve(new BasicAuthenticator());
        SecurityConstraint opsOnly = new SecurityConstraint();
        opsOnly.addAuthRole(OPS_ROLE);
        SecurityCollection user = new SecurityCollection();
        user.addPattern("/user/*");
        opsOnly.addCollection(user);
        context.addConstraint(opsOnly);

        FilterDef keyFilter = new FilterDef();
        keyFilter.setFilterName("api-key");
        keyFilter.setFilter(new ApiKeyFilter(apiKey));
        keyFilter.setAsyncSupported("true");
        context.addFilterDef(keyFilter);
        FilterMap keyOnAdmin = new FilterMap();
        keyOnAdmin.setFilterName("api-key");
        keyOnAdmin.addURLPattern("/admin/*");
        context.addFilterMap(keyOnAdmin);

        // Tomcat's WebSocket container (WsFilter after the filters above), then the endpoints in it
        context.addServletContainerInitializer(new WsSci(), null);
        context.addServletContainerInitializer((classes, servletContext) -> {
            ServerContainer container = (ServerContainer) servletContext.getAttribute(ServerContainer.class.getName());
            for (ServerEndpointConfig endpoint : ActionSocket.configs("/admin", "/user", "/open")) {
                try {
                    container.addEndpoint(endpoint);
                } catch (DeploymentException e) {
                    throw new IllegalStateException(e);
                }
            }
        }, null);

        for (String area : new String[] {"/admin", "/user", "/open"}) {
            servlet(context, area + "/exec", ActionServlet.chosenByRequest());
            servlet(context, area + "/async-start", AsyncActionServlet.start());
            servlet(context, area + "/async-dispatch", AsyncActionServlet.dispatch());
            // Tomcat runs no filter for a path no servlet maps (no default servlet here): this one lets WsFilter
            // see the handshake, and answers what is not one
            servlet(context, area + ActionSocket.PATH, new HttpServlet() {
                @Override
                protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
                    response.sendError(HttpServletResponse.SC_BAD_REQUEST, "WebSocket handshakes only");
                }
            });
        }

        tomcat.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                tomcat.stop();
            } catch (Exception e) {
                System.err.println("tomcat-app stop: " + e);
            }
        }, "tomcat-app-stop"));
        System.out.println("tomcat-app listening on http://127.0.0.1:" + connector.getLocalPort());
        System.out.flush();
        tomcat.getServer().await();
    }

    private static void servlet(Context context, String path, HttpServlet servlet) {
        String name = path.substring(1).replace('/', '-');
        Tomcat.addServlet(context, name, servlet).setAsyncSupported(true);
        context.addServletMappingDecoded(path, name);
    }
}
