package dev.hostguard.agent.instrument;

import dev.hostguard.agent.bootstrap.Hooks;
import net.bytebuddy.asm.Advice;

/**
 * Opens the request scope on entry and closes it on every exit, exceptions included. When HostGuard answered a
 * refused request itself, the refusal's exception is swallowed here so the server sends our 403 and goes on.
 */
final class RequestAdvice {
    // by name, as constants: naming the advice loads no class (the weaving tests fail on a name that is wrong)
    static final String WITH_RESPONSE = "dev.hostguard.agent.instrument.RequestAdvice$WithResponse";
    static final String EXCHANGE = "dev.hostguard.agent.instrument.RequestAdvice$Exchange";
    static final String THIRD_ARGUMENT = "dev.hostguard.agent.instrument.RequestAdvice$ThirdArgument";
    static final String SECOND_ARGUMENT = "dev.hostguard.agent.instrument.RequestAdvice$SecondArgument";
    static final String SECOND_AND_THIRD = "dev.hostguard.agent.instrument.RequestAdvice$SecondAndThird";
    static final String THIS = "dev.hostguard.agent.instrument.RequestAdvice$This";

    private RequestAdvice() {
    }

    /** For servlet-style entries: {@code (request, response, ...)}. */
    static final class WithResponse {
        private WithResponse() {
        }

        @Advice.OnMethodEnter
        static Object enter(@Advice.Argument(0) Object request, @Advice.Argument(1) Object response) {
            return Hooks.requestEnter(request, response);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object token, @Advice.Thrown(readOnly = false) Throwable thrown) {
            thrown = Hooks.requestExit(token, thrown);
        }
    }

    /** For exchange-style entries, where one object is both request and response. */
    static final class Exchange {
        private Exchange() {
        }

        @Advice.OnMethodEnter
        static Object enter(@Advice.Argument(0) Object exchange) {
            return Hooks.requestEnter(exchange, exchange);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object token, @Advice.Thrown(readOnly = false) Throwable thrown) {
            thrown = Hooks.requestExit(token, thrown);
        }
    }

    /** For entries whose third argument is the request (and its response, written later by the server). */
    static final class ThirdArgument {
        private ThirdArgument() {
        }

        @Advice.OnMethodEnter
        static Object enter(@Advice.Argument(2) Object request) {
            return Hooks.requestEnter(request, request);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object token, @Advice.Thrown(readOnly = false) Throwable thrown) {
            thrown = Hooks.requestExit(token, thrown);
        }
    }

    /** For entries whose second argument is both request and response (Undertow's exchange). */
    static final class SecondArgument {
        private SecondArgument() {
        }

        @Advice.OnMethodEnter
        static Object enter(@Advice.Argument(1) Object exchange) {
            return Hooks.requestEnter(exchange, exchange);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object token, @Advice.Thrown(readOnly = false) Throwable thrown) {
            thrown = Hooks.requestExit(token, thrown);
        }
    }

    /** For entries {@code (context, request, response)} (Helidon's routing). */
    static final class SecondAndThird {
        private SecondAndThird() {
        }

        @Advice.OnMethodEnter
        static Object enter(@Advice.Argument(1) Object request, @Advice.Argument(2) Object response) {
            return Hooks.requestEnter(request, response);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object token, @Advice.Thrown(readOnly = false) Throwable thrown) {
            thrown = Hooks.requestExit(token, thrown);
        }
    }

    /** For methods of the request object itself (Vert.x's routing context, Reactor Netty's request). */
    static final class This {
        private This() {
        }

        @Advice.OnMethodEnter
        static Object enter(@Advice.This Object request) {
            return Hooks.requestEnter(request, request);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object token, @Advice.Thrown(readOnly = false) Throwable thrown) {
            thrown = Hooks.requestExit(token, thrown);
        }
    }
}
