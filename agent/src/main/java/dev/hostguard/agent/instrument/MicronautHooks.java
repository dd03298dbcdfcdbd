package dev.hostguard.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.hostguard.agent.bootstrap.Hooks;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Micronaut 4's HTTP server (Netty). A request is served in {@code NettyRequestLifecycle.handleNormal} on the event
 * loop (filters, security, and the controller when it runs there) and in {@code RouteExecutor
 * .executeRouteAndConvertBody} wherever the controller runs ({@code @ExecuteOn}: a worker); both open the request
 * scope. Micronaut catches every exception and answers it itself, later: a refusal's 403 replaces the response where
 * it is made ({@code createDefaultErrorResponse}) or written ({@code writeResponse}). micronaut-security's
 * {@code Authenticator} is where a login is checked against the user store: its answer is noted on the request, the
 * only way to tell a person's {@code Authentication} from a key's or a token's, which have the same type.
 */
final class MicronautHooks implements HookFamily {
    private static final String REQUEST = "io.micronaut.http.HttpRequest";

    @Override
    public String name() {
        return "micronaut";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(
                HookTarget.library("io.micronaut.http.server.netty.NettyRequestLifecycle",
                        new HookSite("NettyRequestLifecycle.handleNormal", "handleNormal", takesArguments(1),
                                RequestAdvice.EXCHANGE, false)),
                HookTarget.library("io.micronaut.http.server.RouteExecutor",
                        new HookSite("RouteExecutor.executeRouteAndConvertBody", "executeRouteAndConvertBody",
                                takesArguments(3).and(takesArgument(2, named(REQUEST))), RequestAdvice.THIRD_ARGUMENT,
                                false),
                        new HookSite("RouteExecutor.createDefaultErrorResponse", "createDefaultErrorResponse",
                                takesArguments(2).and(takesArgument(0, named(REQUEST))),
                                advice("ErrorResponseAdvice"), false)),
                HookTarget.library("io.micronaut.http.server.netty.RoutingInBoundHandler",
                        new HookSite("RoutingInBoundHandler.writeResponse", "writeResponse", takesArguments(4),
                                advice("WriteResponseAdvice"), false)),
                HookTarget.library("io.micronaut.security.authentication.Authenticator",
                        new HookSite("Authenticator.authenticate (imperative providers)", "authenticate",
                                takesArguments(4).and(takesArgument(2, named(List.class.getName()))),
                                advice("LoginCheckedAdvice"), false)));
    }

    /** The default 500 for an exception: the 403 instead when a refusal caused it. */
    static final class ErrorResponseAdvice {
        private ErrorResponseAdvice() {
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Argument(0) Object request, @Advice.Argument(1) Throwable cause,
                         @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object response) {
            Object answer = Hooks.refusalAnswer(request, cause);
            if (answer != null) {
                response = answer;
            }
        }
    }

    /** The response about to be written: the 403 instead when an operation of the request was refused. */
    static final class WriteResponseAdvice {
        private WriteResponseAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(1) Object request,
                          @Advice.Argument(value = 2, readOnly = false, typing = Assigner.Typing.DYNAMIC)
                          Object response,
                          @Advice.Argument(value = 3, readOnly = false) Throwable failure) {
            Object answer = Hooks.refusalAnswer(request, failure);
            if (answer != null) {
                response = answer;
                failure = null;
            }
        }
    }

    /** The user store's answer to a login (HTTP Basic, the login endpoint), for the request it came with. */
    static final class LoginCheckedAdvice {
        private LoginCheckedAdvice() {
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Argument(0) Object request, @Advice.Return Object answer) {
            Hooks.loginChecked(request, answer);
        }
    }
}
