package dev.hostguard.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.hostguard.agent.bootstrap.Hooks;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Undertow's core server (its own {@code HttpHandler} API; undertow-servlet runs on top of it). Every entry of
 * handler code for a request passes {@code Connectors.executeRootHandler(HttpHandler, HttpServerExchange)}: on the
 * I/O thread, again on a worker after {@code exchange.dispatch(handler)}, and for async body reads; it opens the
 * request scope (a nested entry keeps the outer) and, since it returns only after Undertow answered, the scope still
 * covers the {@code exchange.dispatch(Runnable)} hand-over it makes after the handler returned. Undertow catches
 * every exception of the handler inside it and ends the exchange with a 500 at once: the refusal's 403 is written
 * where the exchange is ended ({@code HttpServerExchange.endExchange}), while the response has not started. Work
 * handed to the XNIO worker ({@code XnioWorker.execute}: {@code dispatch}, {@code submit}) keeps the request; the
 * worker's default pool is jboss-threads' {@code EnhancedQueueExecutor}, not the JDK's.
 *
 * <p>Servlets on Undertow: the servlet hooks' entries nest inside this scope when the servlet chain runs on the
 * thread that entered {@code executeRootHandler} (a worker), and open their own scope on the worker undertow-servlet
 * dispatches to otherwise. Either way operations are classified from the servlet request (the innermost entry's),
 * and the 403 goes through the servlet response (the exchange's view hands the answer to it).
 */
final class UndertowHooks implements HookFamily {
    private static final String EXCHANGE = "io.undertow.server.HttpServerExchange";

    @Override
    public String name() {
        return "undertow";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(
                HookTarget.library("io.undertow.server.Connectors",
                        new HookSite("Connectors.executeRootHandler", "executeRootHandler",
                                takesArguments(2).and(takesArgument(1, named(EXCHANGE))),
                                RequestAdvice.SECOND_ARGUMENT, false)),
                HookTarget.library(EXCHANGE,
                        new HookSite("HttpServerExchange.endExchange", "endExchange", takesArguments(0),
                                advice("EndExchangeAdvice"), false)),
                HookTarget.library("org.xnio.XnioWorker",
                        new HookSite("XnioWorker.execute", "execute",
                                takesArguments(1).and(takesArgument(0, named(Runnable.class.getName()))),
                                HandOverHooks.WRAP_RUNNABLE, false)));
    }


    /**
     * The exchange about to be ended: when an operation of the request was refused and the response has not
     * started, the 403 is sent instead (its sender ends the exchange) and Undertow's own ending (its 500) is
     * skipped.
     */
    static final class EndExchangeAdvice {
        private EndExchangeAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static Object enter(@Advice.This Object exchange) {
            return Hooks.refusalAnswer(exchange, null);
        }

        @Advice.OnMethodExit
        static void exit(@Advice.This Object exchange, @Advice.Enter Object answered,
                         @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object returned) {
            if (answered != null) {
                returned = exchange;
            }
        }
    }
}
