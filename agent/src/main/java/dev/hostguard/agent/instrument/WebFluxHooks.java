package dev.hostguard.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.hostguard.agent.bootstrap.Hooks;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Spring WebFlux on Reactor Netty. WebFlux only assembles its chain where it is called with the exchange; the
 * chain runs later, in Reactor's subscriptions, on whichever thread delivers the signal (the event loop, a
 * scheduler's worker). So the request scope is opened where those threads really run the request's code:
 * <ul>
 *   <li>{@code HttpServerOperations.onInboundNext}: every turn of the event loop for the request (its head, which
 *       subscribes WebFlux's whole chain, and each chunk of its body), whatever runs there synchronously, filters
 *       and hand-overs included; described by WebFlux's exchange, which {@code HttpWebHandlerAdapter
 *       .createExchange} makes of Reactor Netty's request on the first turn ({@link Hooks#requestDescribedBy})</li>
 *   <li>where WebFlux calls the application's handler, on any thread: the annotated controller's method (the
 *       lambda of {@code InvocableHandlerMethod.invoke} that calls it once its arguments are resolved) and the
 *       functional route's {@code HandlerFunction} ({@code HandlerFunctionAdapter.handle}); these see the request
 *       live, classified by what Spring Security established by then, also after a hand-over that happened before
 *       authentication finished (the session store's, the password check's)</li>
 * </ul>
 * Spring Security WebFlux keeps the {@code Authentication} in the Reactor Context only: it is noted on the exchange
 * where it is established ({@code AuthenticationWebFilter.onAuthenticationSuccess}: a key filter's, HTTP Basic's,
 * a form login's; {@code AnonymousAuthenticationWebFilter.createAuthentication}), and where it loads one kept in the
 * {@code WebSession} for a later request of a login's session ({@code WebSessionServerSecurityContextRepository.load}:
 * its {@code Mono} notes the {@code Authentication} when it emits it). WebFlux answers every error later
 * through its {@code WebExceptionHandler}s, the first of which is always {@code ExceptionHandlingWebHandler}'s
 * checkpoint: an error caused by a refusal (or on a request that kept one) is answered with the 403 there instead.
 */
final class WebFluxHooks implements HookFamily {
    private static final String EXCHANGE = "org.springframework.web.server.ServerWebExchange";

    @Override
    public String name() {
        return "spring-webflux";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(
                HookTarget.library("reactor.netty.http.server.HttpServerOperations",
                        new HookSite("HttpServerOperations.onInboundNext", "onInboundNext", takesArguments(2),
                                RequestAdvice.THIS, false)),
                HookTarget.library("org.springframework.web.server.adapter.HttpWebHandlerAdapter",
                        new HookSite("HttpWebHandlerAdapter.createExchange", "createExchange", takesArguments(2),
                                advice("ExchangeMadeAdvice"), false)),
                HookTarget.library("org.springframework.web.reactive.result.method.InvocableHandlerMethod",
                        // javac's name for the lambda of invoke that calls the controller's method (Spring 6.x)
                        new HookSite("InvocableHandlerMethod.invoke (the lambda calling the method)",
                                "lambda$invoke$0", takesArguments(3).and(takesArgument(0, named(EXCHANGE))),
                                RequestAdvice.EXCHANGE, false)),
                HookTarget.library("org.springframework.web.reactive.function.server.support.HandlerFunctionAdapter",
                        new HookSite("HandlerFunctionAdapter.handle", "handle",
                                takesArguments(2).and(takesArgument(0, named(EXCHANGE))), RequestAdvice.EXCHANGE,
                                false)),
                HookTarget.library("org.springframework.web.server.handler.ExceptionHandlingWebHandler"
                                + "$CheckpointInsertingHandler",
                        new HookSite("ExceptionHandlingWebHandler.CheckpointInsertingHandler.handle", "handle",
                                takesArguments(2).and(takesArgument(0, named(EXCHANGE))),
                                advice("ErrorAnswerAdvice"), false)),
                HookTarget.library("org.springframework.security.web.server.authentication.AuthenticationWebFilter",
                        new HookSite("AuthenticationWebFilter.onAuthenticationSuccess", "onAuthenticationSuccess",
                                takesArguments(2), advice("AuthenticatedAdvice"), false)),
                HookTarget.library(
                        "org.springframework.security.web.server.authentication.AnonymousAuthenticationWebFilter",
                        new HookSite("AnonymousAuthenticationWebFilter.createAuthentication", "createAuthentication",
                                takesArguments(1).and(takesArgument(0, named(EXCHANGE))),
                                advice("AnonymousAdvice"), false)),
                HookTarget.library(
                        "org.springframework.security.web.server.context.WebSessionServerSecurityContextRepository",
                        new HookSite("WebSessionServerSecurityContextRepository.load", "load",
                                takesArguments(1).and(takesArgument(0, named(EXCHANGE))),
                                advice("SessionLoginAdvice"), false)));
    }


    /** WebFlux made its exchange of the request this thread serves. */
    static final class ExchangeMadeAdvice {
        private ExchangeMadeAdvice() {
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Return Object exchange) {
            Hooks.requestDescribedBy(exchange);
        }
    }

    /** The first error handler's answer: the 403 instead when a refusal caused the error or the request kept one. */
    static final class ErrorAnswerAdvice {
        private ErrorAnswerAdvice() {
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Argument(0) Object exchange, @Advice.Argument(1) Throwable failure,
                         @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object answer) {
            Object refused = Hooks.refusalAnswer(exchange, failure);
            if (refused != null) {
                answer = refused;
            }
        }
    }

    /** An authentication filter's login succeeded: its {@code Authentication}, for the request. */
    static final class AuthenticatedAdvice {
        private AuthenticatedAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object authentication, @Advice.Argument(1) Object filterExchange) {
            Hooks.loginChecked(filterExchange, authentication);
        }
    }

    /**
     * Spring Security is about to load a login kept in the exchange's {@code WebSession}: the lazy
     * {@code Mono<SecurityContext>} it returns, made to note the context's {@code Authentication} on the exchange when
     * it emits it.
     */
    static final class SessionLoginAdvice {
        private SessionLoginAdvice() {
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Argument(0) Object exchange,
                         @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object loading) {
            loading = Hooks.loginLoading(exchange, loading);
        }
    }

    /** The anonymous filter made the request's anonymous {@code Authentication}. */
    static final class AnonymousAdvice {
        private AnonymousAdvice() {
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Argument(0) Object exchange, @Advice.Return Object authentication) {
            Hooks.loginChecked(exchange, authentication);
        }
    }
}
