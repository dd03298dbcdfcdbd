package dev.hostguard.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.hostguard.agent.bootstrap.Hooks;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * Helidon SE 4's web server (virtual thread per connection, its keep-alive requests one after another on it). A
 * request is served in {@code HttpRoutingImpl.route(ConnectionContext, RoutingRequest, RoutingResponse)}: filters
 * (the security filter among them), then the routes' handlers, all on the connection's thread; it opens the request
 * scope and closes it before the connection's next request. Helidon answers every exception of the handlers itself,
 * inside {@code route} ({@code ErrorHandlers}): when a refusal caused it, the 403 is sent there instead
 * ({@code ErrorHandlers.handleError}, {@code unhandledError}), ahead of the application's own error handlers, as a
 * servlet container's filters see the refusal first.
 */
final class HelidonHooks implements HookFamily {
    private static final String ROUTING_REQUEST = "io.helidon.webserver.http.RoutingRequest";
    private static final String ROUTING_RESPONSE = "io.helidon.webserver.http.RoutingResponse";

    @Override
    public String name() {
        return "helidon";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(
                HookTarget.library("io.helidon.webserver.http.HttpRoutingImpl",
                        new HookSite("HttpRoutingImpl.route", "route", takesArguments(3)
                                .and(takesArgument(1, named(ROUTING_REQUEST)))
                                .and(takesArgument(2, named(ROUTING_RESPONSE))), RequestAdvice.SECOND_AND_THIRD,
                                false)),
                HookTarget.library("io.helidon.webserver.http.ErrorHandlers",
                        new HookSite("ErrorHandlers.handleError", "handleError", takesArguments(4)
                                .and(takesArgument(2, named(ROUTING_RESPONSE)))
                                .and(takesArgument(3, named(Throwable.class.getName()))),
                                advice("ErrorAdvice"), false),
                        new HookSite("ErrorHandlers.unhandledError", "unhandledError", takesArguments(4)
                                .and(takesArgument(2, named(ROUTING_RESPONSE)))
                                .and(takesArgument(3, named(Throwable.class.getName()))),
                                advice("ErrorAdvice"), false)));
    }


    /**
     * An exception of the request about to be answered: when a refusal caused it, the 403 is sent on the
     * response (its view answers, given the response) and Helidon's own handling is skipped.
     */
    static final class ErrorAdvice {
        private ErrorAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static Object enter(@Advice.Argument(2) Object response, @Advice.Argument(3) Throwable failure) {
            return Hooks.refusalAnswer(response, failure);
        }
    }
}
