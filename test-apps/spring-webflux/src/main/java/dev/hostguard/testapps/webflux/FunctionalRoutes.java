package dev.hostguard.testapps.webflux;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;

import dev.hostguard.testapps.ops.HostOperations;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The functional routes ({@link RouterFunctions}): {@code GET /fn/<mechanism>/<op>} ({@code key} or {@code anon},
 * secured as {@code /key} and {@code /anon}) runs the operation synchronously in the handler function, as a handler
 * that calls a blocking API does; a failure becomes the response's error. {@code X-Handled-On} names the thread.
 */
@Configuration
class FunctionalRoutes {

    @Bean
    RouterFunction<ServerResponse> operations() {
        return RouterFunctions.route(GET("/fn/{mechanism:key|anon}/{op}"), FunctionalRoutes::run);
    }

    static Mono<ServerResponse> run(ServerRequest request) {
        String result;
        try {
            result = HostOperations.run(request.pathVariable("op"), request.queryParams().toSingleValueMap());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Mono.error(e);
        } catch (Exception e) {
            return Mono.error(e);
        }
        return ServerResponse.ok().header(OperationsController.HANDLED_ON, Thread.currentThread().getName())
                .contentType(MediaType.TEXT_PLAIN).bodyValue(result);
    }
}
