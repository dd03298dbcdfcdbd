package dev.hostguard.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.util.List;
import java.util.Set;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * The request scope of Jakarta and javax servlet containers: every {@code FilterChain}, {@code Filter} and
 * {@code Servlet} entry, so the outermost one, whichever it is, opens the scope and operations inside filters
 * count. Forwards, includes and error dispatches nest inside it. Work started with {@code AsyncContext.start}
 * keeps the request, as any hand-over does.
 */
final class ServletHooks implements HookFamily {
    private static final String[] BASES = {"jakarta.servlet", "javax.servlet"};

    @Override
    public String name() {
        return "servlet";
    }

    @Override
    public List<HookTarget> targets() {
        ElementMatcher.Junction<MethodDescription> request = takesArgument(0, namedOneOf(names("ServletRequest")))
                .and(takesArgument(1, namedOneOf(names("ServletResponse")))).and(not(isAbstract()));
        return List.of(HookTarget.subTypesOf(Set.of(names("Servlet", "Filter", "FilterChain")),
                new HookSite("Servlet.service", named("service").and(takesArguments(2)).and(request),
                        RequestAdvice.WithResponse.class, false),
                new HookSite("Filter.doFilter", named("doFilter").and(takesArguments(3)).and(request)
                        .and(takesArgument(2, namedOneOf(names("FilterChain")))),
                        RequestAdvice.WithResponse.class, false),
                new HookSite("FilterChain.doFilter", named("doFilter").and(takesArguments(2)).and(request),
                        RequestAdvice.WithResponse.class, false)),
                HookTarget.subTypesOf(Set.of(names("AsyncContext")), new HookSite("AsyncContext.start",
                        named("start").and(takesArguments(Runnable.class)).and(not(isAbstract())),
                        HandOverHooks.WrapRunnableAdvice.class, false)));
    }

    private static String[] names(String... simpleNames) {
        String[] names = new String[simpleNames.length * BASES.length];
        int i = 0;
        for (String base : BASES) {
            for (String simple : simpleNames) {
                names[i++] = base + "." + simple;
            }
        }
        return names;
    }
}
