package dev.hostguard.testapps.undertow;

import dev.hostguard.testapps.ops.HostOperations;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.security.api.AuthenticationMechanism;
import io.undertow.security.api.AuthenticationMode;
import io.undertow.security.handlers.AuthenticationCallHandler;
import io.undertow.security.handlers.AuthenticationConstraintHandler;
import io.undertow.security.handlers.AuthenticationMechanismsHandler;
import io.undertow.security.handlers.SecurityInitialHandler;
import io.undertow.security.idm.IdentityManager;
import io.undertow.security.impl.BasicAuthenticationMechanism;
import io.undertow.server.HttpHandler;
import io.undertow.server.RoutingHandler;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.xnio.XnioIoThread;

/**
 * An Undertow service on Undertow's own {@link HttpHandler} API (no servlet) whose routes {@code /<mechanism>/<op>}
 * run the same {@link HostOperations} behind a different way of authenticating each, with Undertow's security
 * handlers ({@link SecurityInitialHandler} and the rest, proactive authentication, the constraint that makes it
 * required):
 * <ul>
 *   <li>{@code /key/<op>}: {@link ServiceKeyMechanism}, the app's own {@link AuthenticationMechanism} on header
 *       {@value ServiceKeyMechanism#HEADER} (env {@code SERVICE_KEY}), which logs the client in as a
 *       {@link ServiceKeyPrincipal}</li>
 *   <li>{@code /basic/<op>}: Undertow's {@link BasicAuthenticationMechanism} against an {@link IdentityManager} with
 *       one in-memory user ({@code OPS_USER}/{@code OPS_PASSWORD})</li>
 *   <li>{@code /anon/<op>}: no security handler at all</li>
 * </ul>
 * Every operation runs on an XNIO worker thread, moved there with {@code exchange.dispatch(this)}
 * ({@link OperationHandler}), except for the hand-overs under {@code /key}: {@code /key/worker/<op>} submits it to
 * the XNIO worker as an {@code ExecutorService} and waits; {@code /key/dispatch/<op>} hands a {@code Runnable} to
 * {@code exchange.dispatch} on the I/O thread, which answers itself; {@code /key/io/<op>} runs it on the I/O thread.
 * Undertow's {@code AuthenticationCallHandler} moves a request to a worker before authenticating: those two routes
 * authenticate on the I/O thread instead ({@link IoAuthenticationCallHandler}; the service-key mechanism never
 * blocks).
 *
 * <p>One I/O thread ({@code XNIO-1 I/O-1}), so every request passes through the same event-loop thread; four worker
 * threads. With env {@code IO_TICK_MS}, the I/O thread also runs {@code true} every that many milliseconds, scheduled
 * at start-up, outside any request, and prints {@code undertow-app io tick exit=<code> on <thread>} (or
 * {@code undertow-app io tick failed: <exception>}): a request that leaked into the I/O thread would show there.
 *
 * <p>Environment: {@code SERVICE_KEY}, {@code OPS_USER}, {@code OPS_PASSWORD}, optional {@code DOCKER_HOST},
 * {@code CANARY}, {@code PORT} (default 0), {@code BIND} (default 127.0.0.1), {@code IO_TICK_MS}. Ready when it
 * prints {@code undertow-app listening on http://127.0.0.1:<port>}.
 */
public final class UndertowApp {
    private UndertowApp() {
    }

    public static void main(String[] args) throws Exception {
        HostOperations.prepare();
        String bind = env("BIND", "127.0.0.1");
        int port = Integer.parseInt(env("PORT", "0"));
        IdentityManager users = new InMemoryIdentityManager(required("OPS_USER"), required("OPS_PASSWORD"));

        OperationHandler operations = new OperationHandler();
        RoutingHandler routes = Handlers.routing()
                .get("/key/{op}", secured(operations, new ServiceKeyMechanism(required("SERVICE_KEY")), null))
                .get("/key/worker/{op}", secured(new WorkerHandOverHandler(),
                        new ServiceKeyMechanism(required("SERVICE_KEY")), null))
                .get("/key/dispatch/{op}", securedOnIoThread(new DispatchedRunnableHandler(),
                        new ServiceKeyMechanism(required("SERVICE_KEY"))))
                .get("/key/io/{op}", securedOnIoThread(new IoThreadHandler(),
                        new ServiceKeyMechanism(required("SERVICE_KEY"))))
                .get("/basic/{op}", secured(operations, new BasicAuthenticationMechanism("hostguard"), users))
                .get("/anon/{op}", operations)
                .get("/anon/io/{op}", new IoThreadHandler());

        Undertow server = Undertow.builder()
                .setIoThreads(1)
                .setWorkerThreads(4)
                .addHttpListener(port, bind)
                .setHandler(routes)
                .build();
        server.start();
        String tick = System.getenv("IO_TICK_MS");
        if (tick != null && !tick.isBlank()) {
            XnioIoThread io = server.getWorker().getIoThread();
            io.executeAtInterval(UndertowApp::tick, Long.parseLong(tick), TimeUnit.MILLISECONDS);
        }
        InetSocketAddress address = (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
        System.out.println("undertow-app listening on http://127.0.0.1:" + address.getPort());
        System.out.flush();
    }

    /**
     * {@code next} behind Undertow's security handlers, the way its documentation chains them: the security context
     * with proactive authentication ({@code identityManager} for mechanisms that verify against it), the constraint
     * that authentication is required, the mechanism, and the call that makes it happen.
     */
    private static HttpHandler secured(HttpHandler next, AuthenticationMechanism mechanism,
                                       IdentityManager identityManager) {
        HttpHandler handler = new AuthenticationCallHandler(next);
        handler = new AuthenticationConstraintHandler(handler);
        handler = new AuthenticationMechanismsHandler(handler, List.of(mechanism));
        return new SecurityInitialHandler(AuthenticationMode.PRO_ACTIVE, identityManager, handler);
    }

    /**
     * As {@link #secured}, authenticating on the I/O thread ({@link IoAuthenticationCallHandler}) for a mechanism
     * that never blocks, so {@code next} runs there too.
     */
    private static HttpHandler securedOnIoThread(HttpHandler next, AuthenticationMechanism mechanism) {
        HttpHandler handler = new IoAuthenticationCallHandler(next);
        handler = new AuthenticationConstraintHandler(handler);
        handler = new AuthenticationMechanismsHandler(handler, List.of(mechanism));
        return new SecurityInitialHandler(AuthenticationMode.PRO_ACTIVE, null, handler);
    }

    /** Runs {@code true} on the I/O thread, outside any request. */
    private static void tick() {
        try {
            Process process = new ProcessBuilder("true").redirectErrorStream(true).start();
            int exit = process.waitFor();
            System.out.println("undertow-app io tick exit=" + exit + " on " + Thread.currentThread().getName());
        } catch (Exception e) {
            System.out.println("undertow-app io tick failed: " + e);
        }
        System.out.flush();
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static String required(String name) {
        String value = System.getenv(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException("env " + name + " is required");
        }
        return value;
    }
}
