package dev.hostguard.agent.instrument;

import java.util.List;
import java.util.Set;

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
                new HookSite("Servlet.service", request("service", 2),
                        RequestAdvice.WithResponse.class, false),
                new HookSite("Filter.doFilter", request("doFilter", 3)
                        .argument(2, (Object[]) names("FilterChain")),
                        RequestAdvice.WithResponse.class, false),
                new HookSite("FilterChain.doFilter", request("doFilter", 2),
                        RequestAdvice.WithResponse.class, false)),
                HookTarget.subTypesOf(Set.of(names("AsyncContext")), new HookSite("AsyncContext.start",
                        MethodShape.named("start").takes(Runnable.class).notAbstract(),
                        HandOverHooks.WrapRunnableAdvice.class, false)));
    }

    /** {@code name(request, response, ...)} with {@code arguments} arguments, not abstract. */
    private static MethodShape request(String name, int arguments) {
        return MethodShape.named(name).arguments(arguments).argument(0, (Object[]) names("ServletRequest"))
                .argument(1, (Object[]) names("ServletResponse")).notAbstract();
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
