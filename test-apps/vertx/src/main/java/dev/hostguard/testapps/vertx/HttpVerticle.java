package dev.hostguard.testapps.vertx;

import dev.hostguard.testapps.ops.HostOperations;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.properties.PropertyFileAuthentication;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.APIKeyHandler;
import io.vertx.ext.web.handler.BasicAuthHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP side, an event-loop verticle: one Router, one server, all on this verticle's event loop (every request's
 * context is a duplicate of this verticle's). Authentication, per route family, the way the Vert.x docs write it:
 * <ul>
 *   <li>{@code /key/*}: {@link APIKeyHandler} on header {@value #KEY_HEADER} with {@link ServiceKeyAuthentication}
 *       (env {@code SERVICE_KEY}); a wrong or missing key is answered 401 by the handler</li>
 *   <li>{@code /basic/*}: {@link BasicAuthHandler} against {@link PropertyFileAuthentication}, the user store of
 *       vertx-auth-properties, holding the one user {@code OPS_USER}/{@code OPS_PASSWORD}</li>
 *   <li>{@code /anon/*}: open</li>
 * </ul>
 * The operations, under each family:
 * <ul>
 *   <li>{@code /<family>/<op>}: a blocking handler ({@code Route.blockingHandler}: the Vert.x way to run code that
 *       blocks; ordered, so it runs on the worker pool through the event loop's one ordered task queue)</li>
 *   <li>{@code /<family>/event-loop/<op>}: a plain handler, the operation on the event loop itself</li>
 *   <li>{@code /key/execute-blocking/<op>}: {@code vertx.executeBlocking(callable)} from a plain handler</li>
 *   <li>{@code /key/worker/<op>}: an event-bus request to the worker verticle</li>
 *   <li>{@code /key/worker-executor/<op>}: {@code executeBlocking} on a named {@link WorkerExecutor}
 *       ({@value #WORKER_EXECUTOR}-&lt;n&gt; threads)</li>
 *   <li>{@code /key/virtual-thread/<op>}: an event-bus request to the virtual-thread verticle (JDK 21+; before, a
 *       500 whose JSON says so)</li>
 *   <li>{@code /key/run-on-context/<op>}: {@code vertx.runOnContext}: later, on the same event loop</li>
 * </ul>
 * And {@code /<family>/ws}: {@code request.toWebSocket()} (behind the family's authentication, as any route); each
 * text message {@code op=<op>[&cmd=..&dir=..]} runs that operation on the event loop and is answered
 * ({@link HostOperations#answer}), while the WebSocket is open.
 * <p>Whatever fails is handed to {@code ctx.fail(exception)} unchanged, and no failure handler is installed: the
 * Router answers a failure with its default 500, as in an app that did not write its own.
 */
final class HttpVerticle extends VerticleBase {
    static final String KEY_HEADER = "X-Service-Key";
    static final String WORKER_EXECUTOR = "hostops-executor";
    private static final String[] FAMILIES = {"key", "basic", "anon"};

    private final String serviceKey;
    private final String opsUser;
    private final String opsPassword;
    private final String bind;
    private final int requestedPort;
    private final long tickMillis;
    private final boolean virtualThreads;
    private volatile int port;
    private WorkerExecutor workerExecutor;

    HttpVerticle(String serviceKey, String opsUser, String opsPassword, String bind, int port, long tickMillis,
                 boolean virtualThreads) {
        this.serviceKey = serviceKey;
        this.opsUser = opsUser;
        this.opsPassword = opsPassword;
        this.bind = bind;
        this.requestedPort = port;
        this.tickMillis = tickMillis;
        this.virtualThreads = virtualThreads;
    }

    int port() {
        return port;
    }

    @Override
    public Future<?> start() throws Exception {
        workerExecutor = vertx.createSharedWorkerExecutor(WORKER_EXECUTOR, 2);
        Router router = Router.router(vertx);
        router.route("/key/*").handler(APIKeyHandler.create(new ServiceKeyAuthentication(serviceKey)).header(KEY_HEADER));
        router.route("/basic/*").handler(BasicAuthHandler.create(users()));
        for (String family : FAMILIES) {
            router.get("/" + family + "/ws").handler(ctx -> ctx.request().toWebSocket()
                    .onSuccess(ws -> ws.textMessageHandler(message -> {
                        String answer = HostOperations.answer(message);
                        if (!ws.isClosed()) { // a refusal closes it
                            ws.writeTextMessage(answer);
                        }
                    }))
                    .onFailure(ctx::fail));
            router.get("/" + family + "/event-loop/:op").handler(ctx -> {
                try {
                    answer(ctx, HostOperations.run(ctx.pathParam("op"), params(ctx)));
                } catch (Exception e) {
                    ctx.fail(e);
                }
            });
            router.get("/" + family + "/:op").blockingHandler(ctx -> {
                try {
                    answer(ctx, HostOperations.run(ctx.pathParam("op"), params(ctx)));
                } catch (Exception e) {
                    ctx.fail(e);
                }
            });
        }
        router.get("/key/execute-blocking/:op").handler(ctx -> {
            String op = ctx.pathParam("op");
            Map<String, String> params = params(ctx);
            ctx.vertx().executeBlocking(() -> HostOperations.run(op, params)).onComplete(answerOrFail(ctx));
        });
        router.get("/key/worker-executor/:op").handler(ctx -> {
            String op = ctx.pathParam("op");
            Map<String, String> params = params(ctx);
            workerExecutor.executeBlocking(() -> HostOperations.run(op, params)).onComplete(answerOrFail(ctx));
        });
        router.get("/key/worker/:op").handler(ctx -> ctx.vertx().eventBus()
                .<String>request(VertxApp.WORKER_ADDRESS, HostOperationsVerticle.message(ctx.pathParam("op"), params(ctx)))
                .map(reply -> reply.body())
                .onComplete(answerOrFail(ctx)));
        router.get("/key/virtual-thread/:op").handler(ctx -> {
            if (!virtualThreads) {
                ctx.response().setStatusCode(500).putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("error", "virtual-thread needs JDK 21 or later; this is "
                                + Runtime.version()).encode());
                return;
            }
            ctx.vertx().eventBus()
                    .<String>request(VertxApp.VIRTUAL_THREAD_ADDRESS, HostOperationsVerticle.message(ctx.pathParam("op"), params(ctx)))
                    .map(reply -> reply.body())
                    .onComplete(answerOrFail(ctx));
        });
        router.get("/key/run-on-context/:op").handler(ctx -> {
            String op = ctx.pathParam("op");
            Map<String, String> params = params(ctx);
            ctx.vertx().runOnContext(v -> {
                try {
                    answer(ctx, HostOperations.run(op, params));
                } catch (Exception e) {
                    ctx.fail(e);
                }
            });
        });
        if (tickMillis > 0) {
            vertx.setPeriodic(tickMillis, id -> tick());
        }
        return vertx.createHttpServer().requestHandler(router).listen(requestedPort, bind)
                .onSuccess(server -> port = server.actualPort());
    }

    @Override
    public Future<?> stop() {
        return workerExecutor.close();
    }

    /**
     * Runs {@code true} outside any request, on this verticle's event loop (the thread every request's handlers run
     * on) and then, through {@code executeBlocking}, on the worker pool by the same ordered queue the blocking
     * handlers use; one line each: {@code vertx-app tick <where> exit=<code> on <thread>}, or {@code vertx-app tick
     * <where> failed on <thread>: <exception>}.
     */
    private void tick() {
        System.out.println(runTrue("event-loop"));
        vertx.executeBlocking(() -> runTrue("worker")).onComplete(ar -> System.out.println(ar.result()));
    }

    private static String runTrue(String where) {
        String thread = Thread.currentThread().getName();
        try {
            Process process = new ProcessBuilder("true").start();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return "vertx-app tick " + where + " failed on " + thread + ": still running after 10 s";
            }
            return "vertx-app tick " + where + " exit=" + process.exitValue() + " on " + thread;
        } catch (IOException | RuntimeException e) {
            return "vertx-app tick " + where + " failed on " + thread + ": " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "vertx-app tick " + where + " failed on " + thread + ": interrupted";
        }
    }

    /**
     * The user store: vertx-auth-properties reads its file once, here, at start-up; the file lives only that long
     * (owner-only, in the temp directory), so the password stays in no file.
     */
    private PropertyFileAuthentication users() throws IOException {
        Path file = Files.createTempFile("vertx-app-users", ".properties",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(file, "user." + opsUser + " = " + opsPassword + ",ops\nrole.ops = *\n",
                    StandardCharsets.UTF_8);
            return PropertyFileAuthentication.create(vertx, file.toString());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The query parameters, the first value of each. */
    private static Map<String, String> params(RoutingContext ctx) {
        Map<String, String> params = new LinkedHashMap<>();
        ctx.queryParams().forEach(e -> params.putIfAbsent(e.getKey(), e.getValue()));
        return params;
    }

    private static void answer(RoutingContext ctx, String body) {
        ctx.response().putHeader("Content-Type", "text/plain; charset=utf-8").end(body);
    }

    private static Handler<AsyncResult<String>> answerOrFail(RoutingContext ctx) {
        return ar -> {
            if (ar.succeeded()) {
                answer(ctx, ar.result());
            } else {
                ctx.fail(ar.cause());
            }
        };
    }
}
