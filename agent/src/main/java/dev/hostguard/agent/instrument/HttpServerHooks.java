package dev.hostguard.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.util.List;

/**
 * The request scope of the JDK's {@code com.sun.net.httpserver}: the server runs every exchange through
 * {@code Filter.Chain.doFilter}, before user filters, the authenticator and the handler, so one hook there covers
 * handlers written as lambdas too (whose code no type matcher can reach).
 */
final class HttpServerHooks implements HookFamily {
    static final String CHAIN = "com.sun.net.httpserver.Filter$Chain";

    @Override
    public String name() {
        return "httpserver";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(HookTarget.jdk(CHAIN, new HookSite("Filter.Chain.doFilter", "doFilter", takesArguments(1)
                .and(takesArgument(0, named("com.sun.net.httpserver.HttpExchange"))),
                RequestAdvice.EXCHANGE, true)));
    }
}
