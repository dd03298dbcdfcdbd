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
            // Object, not ServerApi: the verifier then loads no server class for a JDK server's request
            Object api = ServletApi.of(type);
            if (api == null) {
                api = MicronautApi.of(type);
            }
            if (api == null) {
                api = UndertowApi.of(type);
            }
            if (api == null) {
                api = HelidonApi.of(type);
            }
            if (api == null) {
                api = VertxApi.of(type);
            }
            if (api == null) {
                api = WebFluxApi.of(type);
            }
            if (api == null) {
                api = GrpcApi.of(type);
            }
            if (api == null) {
                api = JmsApi.of(type);
            }
            if (api == null) {
                api = KafkaApi.of(type);
            }
            if (api == null) {
                api = RabbitMqApi.of(type);
            }
            if (api == null) {
                api = SpringAmqpApi.of(type);
            }
            return api != null ? api : "unknown";
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
        if (api == EXCHANGE) { // first: a JDK server then loads no other server's classes
            return new ExchangeRequestView((com.sun.net.httpserver.HttpExchange) request);
        }
        return api instanceof ServerApi server ? server.view(request, response) : null;
    }

    /** The Helidon API of {@code type}; {@code null} when it is no Helidon request or response. */
    static HelidonApi helidon(Class<?> type) {
        return API.get(type) instanceof HelidonApi helidon ? helidon : null;
    }
}
