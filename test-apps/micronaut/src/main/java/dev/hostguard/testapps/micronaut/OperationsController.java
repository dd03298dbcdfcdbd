package dev.hostguard.testapps.micronaut;

import dev.hostguard.testapps.ops.HostOperations;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import jakarta.inject.Named;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@code GET /<mechanism>/<op>} runs a {@link HostOperations} operation where Micronaut runs a controller by default,
 * on the Netty event loop that read the request; {@code /<mechanism>/blocking/<op>} the same under
 * {@code @ExecuteOn(TaskExecutors.BLOCKING)} (JDK 17: the cached {@code io} pool, {@code io-executor-thread-<n>};
 * JDK 21+: a virtual thread per request, {@code virtual-executor-<n>}). The hand-overs Micronaut users write, behind
 * the service key: {@code /key/future/<op>} in {@code CompletableFuture.supplyAsync} on the app's {@code work}
 * executor ({@code work-executor-thread-<n>}), then {@code join()}; {@code /key/mono/<op>} a {@code Mono.fromCallable}
 * with {@code subscribeOn(Schedulers.boundedElastic())}, returned to Micronaut, which subscribes and answers with its
 * value; {@code /<key|basic>/event-loop-execute/<op>} hands it to the request's channel's Netty event loop
 * ({@code channel().eventLoop().execute}, from that loop itself: queued, run after the handler returned) and
 * {@code /<key|basic>/event-loop-schedule/<op>} schedules it there in 10 ms ({@code eventLoop().schedule}: from the
 * loop itself it goes to the scheduled queue, never through {@code execute}), both answering through a
 * {@code CompletableFuture} the task completes; {@code /<key|basic>/event-executor/<op>} executes it on the app's
 * own Netty {@code DefaultEventExecutor} ({@code app-executor-<n>-1}), whose thread starts with the first task
 * handed to it (inside whichever request comes first). Every answer names the thread that ran the operation in header {@value #THREAD_HEADER}. Whatever fails
 * propagates: no handler turns an exception into an answer (Micronaut answers 500), as in the controllers users
 * write.
 */
@Controller
@Produces(MediaType.TEXT_PLAIN)
class OperationsController {
    /** The response header naming the thread the operation ran on. */
    static final String THREAD_HEADER = "X-Operation-Thread";

    private final ExecutorService work;
    /** A Netty executor of the app's own: its thread starts at the first task handed to it. */
    private final EventExecutor executor = new DefaultEventExecutor(new DefaultThreadFactory("app-executor"));

    OperationsController(@Named("work") ExecutorService work) {
        this.work = work;
    }

    @Get("/key/{op}")
    @Secured(ServiceKeyAuthentication.ROLE)
    HttpResponse<String> key(String op, HttpRequest<?> request) throws Exception {
        return run(op, request);
    }

    @Get("/basic/{op}")
    @Secured(OpsUserProvider.ROLE)
    HttpResponse<String> basic(String op, HttpRequest<?> request) throws Exception {
        return run(op, request);
    }

    @Get("/anon/{op}")
    @Secured(SecurityRule.IS_ANONYMOUS)
    HttpResponse<String> anon(String op, HttpRequest<?> request) throws Exception {
        return run(op, request);
    }

    @Get("/key/blocking/{op}")
    @Secured(ServiceKeyAuthentication.ROLE)
    @ExecuteOn(TaskExecutors.BLOCKING)
    HttpResponse<String> keyBlocking(String op, HttpRequest<?> request) throws Exception {
        return run(op, request);
    }

    @Get("/basic/blocking/{op}")
    @Secured(OpsUserProvider.ROLE)
    @ExecuteOn(TaskExecutors.BLOCKING)
    HttpResponse<String> basicBlocking(String op, HttpRequest<?> request) throws Exception {
        return run(op, request);
    }

    @Get("/anon/blocking/{op}")
    @Secured(SecurityRule.IS_ANONYMOUS)
    @ExecuteOn(TaskExecutors.BLOCKING)
    HttpResponse<String> anonBlocking(String op, HttpRequest<?> request) throws Exception {
        return run(op, request);
    }

    @Get("/key/future/{op}")
    @Secured(ServiceKeyAuthentication.ROLE)
    HttpResponse<String> keyFuture(String op, HttpRequest<?> request) {
        Map<String, String> params = params(request);
        return CompletableFuture.supplyAsync(() -> {
            try {
                return answer(HostOperations.run(op, params));
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, work).join();
    }

    @Get("/key/mono/{op}")
    @Secured(ServiceKeyAuthentication.ROLE)
    Mono<HttpResponse<String>> keyMono(String op, HttpRequest<?> request) {
        Map<String, String> params = params(request);
        return Mono.fromCallable(() -> answer(HostOperations.run(op, params)))
                .subscribeOn(Schedulers.boundedElastic());
    }

    @Get("/key/event-loop-execute/{op}")
    @Secured(ServiceKeyAuthentication.ROLE)
    CompletableFuture<HttpResponse<String>> keyEventLoopExecute(String op, HttpRequest<?> request) {
        return onEventLoop(op, request, false);
    }

    @Get("/key/event-loop-schedule/{op}")
    @Secured(ServiceKeyAuthentication.ROLE)
    CompletableFuture<HttpResponse<String>> keyEventLoopSchedule(String op, HttpRequest<?> request) {
        return onEventLoop(op, request, true);
    }

    @Get("/basic/event-loop-execute/{op}")
    @Secured(OpsUserProvider.ROLE)
    CompletableFuture<HttpResponse<String>> basicEventLoopExecute(String op, HttpRequest<?> request) {
        return onEventLoop(op, request, false);
    }

    @Get("/basic/event-loop-schedule/{op}")
    @Secured(OpsUserProvider.ROLE)
    CompletableFuture<HttpResponse<String>> basicEventLoopSchedule(String op, HttpRequest<?> request) {
        return onEventLoop(op, request, true);
    }

    @Get("/key/event-executor/{op}")
    @Secured(ServiceKeyAuthentication.ROLE)
    CompletableFuture<HttpResponse<String>> keyEventExecutor(String op, HttpRequest<?> request) {
        return handOver(op, request, executor, false);
    }

    @Get("/basic/event-executor/{op}")
    @Secured(OpsUserProvider.ROLE)
    CompletableFuture<HttpResponse<String>> basicEventExecutor(String op, HttpRequest<?> request) {
        return handOver(op, request, executor, false);
    }

    /** The operation as a task on the request's channel's event loop, executed or scheduled in 10 ms. */
    private static CompletableFuture<HttpResponse<String>> onEventLoop(String op, HttpRequest<?> request,
                                                                       boolean scheduled) {
        EventLoop loop = ((NettyHttpRequest<?>) request).getChannelHandlerContext().channel().eventLoop();
        return handOver(op, request, loop, scheduled);
    }

    /** The operation as a task on {@code target}, executed or scheduled in 10 ms; the answer when it ran. */
    private static CompletableFuture<HttpResponse<String>> handOver(String op, HttpRequest<?> request,
                                                                    EventExecutor target, boolean scheduled) {
        Map<String, String> params = params(request);
        CompletableFuture<HttpResponse<String>> answer = new CompletableFuture<>();
        Runnable task = () -> {
            try {
                answer.complete(answer(HostOperations.run(op, params)));
            } catch (Throwable t) {
                answer.completeExceptionally(t);
            }
        };
        if (scheduled) {
            target.schedule(task, 10, TimeUnit.MILLISECONDS);
        } else {
            target.execute(task);
        }
        return answer;
    }

    private static HttpResponse<String> run(String op, HttpRequest<?> request) throws Exception {
        return answer(HostOperations.run(op, params(request)));
    }

    private static HttpResponse<String> answer(String body) {
        return HttpResponse.ok(body).header(THREAD_HEADER, Thread.currentThread().getName());
    }

    /** The query parameters, the first value of each. */
    private static Map<String, String> params(HttpRequest<?> request) {
        Map<String, String> params = new LinkedHashMap<>();
        request.getParameters().asMap().forEach((name, values) -> {
            List<String> list = values;
            if (!list.isEmpty()) {
                params.put(name, list.get(0));
            }
        });
        return params;
    }
}
