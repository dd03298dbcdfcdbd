package dev.hostguard.demo;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deliberately vulnerable admin service for HostGuard demos and tests. Its API-key routes run
 * commands, read files and drive the Docker socket on request, as a service with a leaked key or
 * an injected handler would.
 *
 * <p>Environment: API_KEY, OPS_USER, OPS_PASSWORD (required), PORT (8080; 0 = any free port),
 * BIND (127.0.0.1), DOCKER_HOST (unix:///var/run/docker.sock, or a plain path), POOL_TICK_MS (unset: off; else
 * a thread started at boot has the hand-over pool run {@code true} every that many milliseconds, see
 * {@link HandOvers#startPoolTick}), BACKUP_SOURCE and BACKUP_TARGET (see {@link BackupServlet}).
 */
public final class DemoApp {

    /** Tests wait for this line on stdout and parse the port from it. */
    static final String READY_PREFIX = "hostguard-demo listening on http://";

    private DemoApp() {
    }

    public static void main(String[] args) throws Exception {
        DemoConfig config;
        try {
            config = DemoConfig.fromEnvironment(System.getenv());
        } catch (DemoConfig.InvalidConfigException e) {
            System.err.println("hostguard-demo: " + e.getMessage());
            System.exit(2);
            return;
        }

        Logger log = LoggerFactory.getLogger(DemoApp.class);
        Server server = DemoServer.create(config);
        server.start();
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        log.info("started with {}", config);
        System.out.println(READY_PREFIX + config.bind() + ":" + port);
        System.out.flush();
        String tick = System.getenv("POOL_TICK_MS");
        if (tick != null && !tick.isBlank()) {
            HandOvers.startPoolTick(Long.parseLong(tick.trim()));
        }
        server.join();
    }
}
