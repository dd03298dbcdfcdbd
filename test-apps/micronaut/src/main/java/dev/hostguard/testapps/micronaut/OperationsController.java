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
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import jakarta.inject.Named;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
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
 * value. Every answer names the thread that ran the operation in header {@value #THREAD_HEADER}. Whatever fails
 * propagates: no handler turns an exception into an answer (Micronaut answers 500), as in the controllers users
 * write.
 */
@Controller
@Produces(MediaType.TEXT_PLAIN)
class OperationsController {
    /** The response header naming the thread the operation ran on. */
    static final String THREAD_HEADER = "X-Operation-Thread";

    private final ExecutorService work;

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
