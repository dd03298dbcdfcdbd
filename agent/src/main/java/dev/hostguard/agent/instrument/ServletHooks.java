package dev.hostguard.agent.instrument;

import static dev.hostguard.agent.instrument.HookFamily.takes;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
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
        return List.of(HookTarget.subTypesOf(Set.of(names("Servlet", "Filter", "FilterChain")),
                new HookSite("Servlet.service", "service", request(2), RequestAdvice.WITH_RESPONSE, false),
                new HookSite("Filter.doFilter", "doFilter", request(3)
                        .and(takesArgument(2, namedOneOf(names("FilterChain")))), RequestAdvice.WITH_RESPONSE, false),
                new HookSite("FilterChain.doFilter", "doFilter", request(2), RequestAdvice.WITH_RESPONSE, false)),
                HookTarget.subTypesOf(Set.of(names("AsyncContext")), new HookSite("AsyncContext.start", "start",
                        takes(Runnable.class).and(not(isAbstract())),
                        HandOverHooks.WRAP_RUNNABLE, false)));
    }

    /** {@code (request, response, ...)} with {@code arguments} arguments, not abstract. */
    private static ElementMatcher.Junction<MethodDescription> request(int arguments) {
        return takesArguments(arguments).and(takesArgument(0, namedOneOf(names("ServletRequest"))))
                .and(takesArgument(1, namedOneOf(names("ServletResponse")))).and(not(isAbstract()));
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
