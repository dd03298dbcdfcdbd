package dev.hostguard.testapps.webflux;

import dev.hostguard.testapps.ops.HostOperations;
import java.util.HashMap;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The annotated routes. {@code GET /<mechanism>/<op>} (and {@code GET /form/open/<op>}) runs a {@link HostOperations}
 * operation synchronously in the controller method, on whatever thread WebFlux invokes it (a Reactor Netty event loop,
 * or the thread the security chain went on on). {@code POST /key/body/<op>} and {@code POST /anon/body/<op>} take
 * their parameters from a form body, so WebFlux invokes them only once the body has arrived. The hand-overs on
 * {@code /key} ({@code publish-on} also on {@code /basic}, {@code /anon} and {@code /form}, whose chains reach the
 * controller on a {@code parallel} thread), each waited for by the reactive chain (its failure is the response's):
 * <ul>
 *   <li>{@code /<mechanism>/publish-on/<op>}: {@code Mono.just(params).publishOn(Schedulers.boundedElastic())
 *       .map(...)}</li>
 *   <li>{@code /key/from-callable/<op>}: {@code Mono.fromCallable(...).subscribeOn(Schedulers.boundedElastic())},
 *       the idiom Reactor's reference gives for wrapping a blocking call</li>
 *   <li>{@code /key/parallel/<op>}: {@code Mono.fromCallable(...).subscribeOn(Schedulers.parallel())}</li>
 * </ul>
 * Whatever fails propagates (Spring Boot answers 500): no handler turns an exception into an answer, as in the
 * controllers users write. Every answer says in {@value #HANDLED_ON} which thread ran the operation.
 */
@RestController
class OperationsController {

    /** {@value #HANDLED_ON}: the thread the operation ran on, for whoever wonders where WebFlux ran the code. */
    static final String HANDLED_ON = "X-Handled-On";

    @GetMapping({"/{mechanism:key|basic|anon|form}/{op}", "/form/open/{op}"})
    String run(@PathVariable String op, @RequestParam Map<String, String> params, ServerWebExchange exchange)
            throws Exception {
        handledOn(exchange);
        return HostOperations.run(op, params);
    }

    /** The parameters of {@code POST /key/body/<op>}, bound from the form body. */
    record OperationForm(String cmd, String dir) {
        Map<String, String> params() {
            Map<String, String> params = new HashMap<>();
            if (cmd != null) {
                params.put("cmd", cmd);
            }
            if (dir != null) {
                params.put("dir", dir);
            }
            return params;
        }
    }

    /**
     * WebFlux binds a form body through {@code @ModelAttribute} ({@code @RequestBody} refuses form data there): the
     * method is invoked once the whole body has arrived.
     */
    @PostMapping(path = "/{mechanism:key|anon}/body/{op}", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
    String runWithBody(@PathVariable String op, @ModelAttribute OperationForm form, ServerWebExchange exchange)
            throws Exception {
        handledOn(exchange);
        return HostOperations.run(op, form.params());
    }

    @GetMapping("/{mechanism:key|basic|anon|form}/publish-on/{op}")
    Mono<String> publishOn(@PathVariable String op, @RequestParam Map<String, String> params,
                           ServerWebExchange exchange) {
        return Mono.just(params).publishOn(Schedulers.boundedElastic()).map(p -> runPropagating(op, p, exchange));
    }

    @GetMapping("/key/from-callable/{op}")
    Mono<String> fromCallable(@PathVariable String op, @RequestParam Map<String, String> params,
                              ServerWebExchange exchange) {
        return Mono.fromCallable(() -> {
            handledOn(exchange);
            return HostOperations.run(op, params);
        }).subscribeOn(Schedulers.boundedElastic());
    }

    @GetMapping("/key/parallel/{op}")
    Mono<String> parallel(@PathVariable String op, @RequestParam Map<String, String> params,
                          ServerWebExchange exchange) {
        return Mono.fromCallable(() -> {
            handledOn(exchange);
            return HostOperations.run(op, params);
        }).subscribeOn(Schedulers.parallel());
    }

    /** Reactor's idiom for a checked exception in {@code map}: {@link Exceptions#propagate}. */
    private static String runPropagating(String op, Map<String, String> params, ServerWebExchange exchange) {
        handledOn(exchange);
        try {
            return HostOperations.run(op, params);
        } catch (Exception e) {
            throw Exceptions.propagate(e);
        }
    }

    private static void handledOn(ServerWebExchange exchange) {
        exchange.getResponse().getHeaders().set(HANDLED_ON, Thread.currentThread().getName());
    }
}
