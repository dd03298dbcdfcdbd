package dev.hostguard.agent.context;

import dev.hostguard.agent.bootstrap.Hooks;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;

/**
 * The few Spring WebFlux methods the guard calls, resolved on the public interfaces of the service's own copy
 * ({@code ServerWebExchange}, {@code ServerHttpRequest}, {@code ServerHttpResponse}, Reactor's {@code Mono}): the
 * agent cannot link against Spring. Three kinds of object stand for a WebFlux request: the exchange itself; Spring
 * Security's {@code WebFilterExchange}, which holds it; and Reactor Netty's request, which WebFlux made the exchange
 * of ({@link Hooks#describedBy}).
 */
final class WebFluxApi implements ServerApi {
    static final String EXCHANGE = "org.springframework.web.server.ServerWebExchange";
    private static final String FILTER_EXCHANGE = "org.springframework.security.web.server.WebFilterExchange";
    private static final String NETTY_REQUEST = "reactor.netty.http.server.HttpServerRequest";
    /** A Reactor Netty request: the view is its exchange's. */
    private static final WebFluxApi NETTY = new WebFluxApi();

    private final Method getExchange;
    private final Method getRequest;
    private final Method getResponse;
    private final Method getAttributes;
    private final Method getMethod;
    private final Method getUri;
    private final Method getHeaders;
    private final Method headerFirst;
    private final Method getRemoteAddress;
    private final Method getSslInfo;
    private final Method getPeerCertificates;
    private final Method isCommitted;
    private final Method setStatusCode;
    private final Method statusValueOf;
    private final Method responseHeaders;
    private final Method headerSet;
    private final Method bufferFactory;
    private final Method wrap;
    private final Method writeWith;
    private final Method just;
    private final Method doOnNext;

    private WebFluxApi() {
        getExchange = getRequest = getResponse = getAttributes = getMethod = getUri = getHeaders = headerFirst = null;
        getRemoteAddress = getSslInfo = getPeerCertificates = isCommitted = setStatusCode = statusValueOf = null;
        responseHeaders = headerSet = bufferFactory = wrap = writeWith = just = doOnNext = null;
    }

    /** A {@code WebFilterExchange}: the view is the exchange's it holds. */
    private WebFluxApi(Method getExchange) {
        this.getExchange = getExchange;
        getRequest = getResponse = getAttributes = getMethod = getUri = getHeaders = headerFirst = null;
        getRemoteAddress = getSslInfo = getPeerCertificates = isCommitted = setStatusCode = statusValueOf = null;
        responseHeaders = headerSet = bufferFactory = wrap = writeWith = just = doOnNext = null;
    }

    private WebFluxApi(Class<?> exchange) throws ReflectiveOperationException {
        ClassLoader loader = exchange.getClassLoader();
        getExchange = null;
        getRequest = exchange.getMethod("getRequest");
        getResponse = exchange.getMethod("getResponse");
        getAttributes = exchange.getMethod("getAttributes");
        Class<?> request = getRequest.getReturnType();
        getMethod = request.getMethod("getMethod");
        getUri = request.getMethod("getURI");
        getHeaders = request.getMethod("getHeaders");
        headerFirst = getHeaders.getReturnType().getMethod("getFirst", String.class);
        getRemoteAddress = request.getMethod("getRemoteAddress");
        getSslInfo = request.getMethod("getSslInfo");
        getPeerCertificates = getSslInfo.getReturnType().getMethod("getPeerCertificates");
        Class<?> response = getResponse.getReturnType();
        isCommitted = response.getMethod("isCommitted");
        setStatusCode = statusSetter(response);
        statusValueOf = setStatusCode.getParameterTypes()[0].getMethod("valueOf", int.class);
        responseHeaders = response.getMethod("getHeaders");
        headerSet = responseHeaders.getReturnType().getMethod("set", String.class, String.class);
        bufferFactory = response.getMethod("bufferFactory");
        wrap = bufferFactory.getReturnType().getMethod("wrap", byte[].class);
        writeWith = single(response, "writeWith");
        Class<?> mono = Class.forName("reactor.core.publisher.Mono", false, loader);
        just = mono.getMethod("just", Object.class);
        doOnNext = mono.getMethod("doOnNext", java.util.function.Consumer.class);
    }

    /** {@code setStatusCode(HttpStatusCode)} (Spring 6) or {@code setStatusCode(HttpStatus)} (Spring 5). */
    private static Method statusSetter(Class<?> response) throws NoSuchMethodException {
        Method setter = single(response, "setStatusCode");
        Method valueOf = setter.getParameterTypes()[0].getMethod("valueOf", int.class);
        if (!Modifier.isStatic(valueOf.getModifiers())) {
            throw new NoSuchMethodException("static valueOf(int) of " + setter.getParameterTypes()[0]);
        }
        return setter;
    }

    private static Method single(Class<?> type, String name) throws NoSuchMethodException {
        for (Method m : type.getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == 1) {
                return m;
            }
        }
        throw new NoSuchMethodException(type.getName() + "." + name + "(1 argument)");
    }

    /** @return the API of {@code type} when it stands for a WebFlux request, else {@code null} */
    static WebFluxApi of(Class<?> type) {
        Class<?> exchange = Types.findSuperType(type, EXCHANGE);
        try {
            if (exchange != null) {
                return new WebFluxApi(exchange);
            }
            Class<?> filterExchange = Types.findSuperType(type, FILTER_EXCHANGE);
            if (filterExchange != null) {
                return new WebFluxApi(filterExchange.getMethod("getExchange"));
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("unexpected Spring WebFlux API " + type, e);
        }
        return Types.findSuperType(type, NETTY_REQUEST) != null ? NETTY : null;
    }

    /** @return the view of {@code request}; {@code null} when it stands for no exchange (yet) */
    @Override
    public RequestView view(Object request, Object response) {
        if (this == NETTY) {
            Object exchange = Hooks.describedBy(request);
            return exchange == null ? null : RequestViews.of(exchange, null);
        }
        if (getExchange != null) {
            return RequestViews.of(Types.call(getExchange, request), null);
        }
        return new WebFluxRequestView(this, request);
    }

    Object request(Object exchange) {
        return Types.call(getRequest, exchange);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> attributes(Object exchange) {
        return (Map<String, Object>) Types.call(getAttributes, exchange);
    }

    /** {@code HttpMethod}: an enum before Spring 6, a class since; either's {@code toString} is its name. */
    String method(Object request) {
        return String.valueOf(Types.call(getMethod, request));
    }

    java.net.URI uri(Object request) {
        return (java.net.URI) Types.call(getUri, request);
    }

    String header(Object request, String name) {
        return (String) Types.call(headerFirst, Types.call(getHeaders, request), name);
    }

    Object remoteAddress(Object request) {
        return Types.call(getRemoteAddress, request);
    }

    /** Whether TLS verified a client certificate: WebFlux's {@code SslInfo} holds the peer's chain. */
    boolean hasCertificate(Object request) {
        Object ssl = Types.call(getSslInfo, request);
        return ssl != null && Types.call(getPeerCertificates, ssl) instanceof Object[] chain && chain.length > 0;
    }

    /**
     * {@code pending.doOnNext(action)}: a {@code Mono} that runs {@code action} with each value {@code pending}
     * emits, then passes it on unchanged; {@code null} when {@code pending} is no {@code Mono} of this WebFlux's
     * Reactor.
     */
    Object onEachValue(Object pending, java.util.function.Consumer<Object> action) {
        return doOnNext.getDeclaringClass().isInstance(pending) ? Types.call(doOnNext, pending, action) : null;
    }

    /**
     * The response written with {@code status}, the content type and the body as they are: a {@code Mono<Void>}
     * that writes them when subscribed, to answer in place of the error handlers; {@code null} when the response is
     * committed already.
     */
    Object answer(Object exchange, int status, String contentType, byte[] body) {
        Object response = Types.call(getResponse, exchange);
        if (Boolean.TRUE.equals(Types.call(isCommitted, response))) {
            return null;
        }
        Types.call(setStatusCode, response, Types.call(statusValueOf, null, status));
        Types.call(headerSet, Types.call(responseHeaders, response), "Content-Type", contentType);
        Object buffer = Types.call(wrap, Types.call(bufferFactory, response), (Object) body);
        return Types.call(writeWith, response, Types.call(just, null, buffer));
    }
}
