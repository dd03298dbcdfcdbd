package dev.hostguard.agent.context;

/** Picks the view for a request object by the server API it belongs to (resolved once per request class). */
public final class RequestViews {
    private static final String EXCHANGE = "com.sun.net.httpserver.HttpExchange";

    private static final ClassValue<Object> API = new ClassValue<>() {
        @Override
        protected Object computeValue(Class<?> type) {
            if (Types.findSuperType(type, EXCHANGE) != null) {
                return EXCHANGE;
            }
            ServletApi servlet = ServletApi.of(type);
            if (servlet != null) {
                return servlet;
            }
            MicronautApi micronaut = MicronautApi.of(type);
            if (micronaut != null) {
                return micronaut;
            }
            UndertowApi undertow = UndertowApi.of(type);
            if (undertow != null) {
                return undertow;
            }
            HelidonApi helidon = HelidonApi.of(type);
            if (helidon != null) {
                return helidon;
            }
            VertxApi vertx = VertxApi.of(type);
            if (vertx != null) {
                return vertx;
            }
            WebFluxApi webflux = WebFluxApi.of(type);
            return webflux != null ? webflux : "unknown";
        }
    };

    private RequestViews() {
    }

    /** @return a view of the request, or {@code null} when its server API is unknown to us */
    public static RequestView of(Object request, Object response) {
        if (request == null) {
            return null;
        }
        Object api = API.get(request.getClass());
        if (api == EXCHANGE) { // first: a JDK server then never loads the servlet classes
            return new ExchangeRequestView((com.sun.net.httpserver.HttpExchange) request);
        }
        if (api instanceof ServletApi servlet) {
            return new ServletRequestView(servlet, request, response);
        }
        if (api instanceof MicronautApi micronaut) {
            return new MicronautRequestView(micronaut, request);
        }
        if (api instanceof UndertowApi undertow) {
            return new UndertowRequestView(undertow, request);
        }
        if (api instanceof HelidonApi helidon) { // a response alone where Helidon answers an exception
            return helidon.response ? new HelidonRequestView(null, null, request)
                    : new HelidonRequestView(helidon, request, response);
        }
        if (api instanceof VertxApi vertx) {
            return new VertxRequestView(vertx, request);
        }
        return api instanceof WebFluxApi webflux ? webflux.view(request) : null;
    }

    /** The Helidon API of {@code type}; {@code null} when it is no Helidon request or response. */
    static HelidonApi helidon(Class<?> type) {
        return API.get(type) instanceof HelidonApi helidon ? helidon : null;
    }
}
