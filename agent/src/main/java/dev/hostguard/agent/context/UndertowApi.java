package dev.hostguard.agent.context;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/**
 * The few Undertow methods the guard calls, resolved on the service's own copy of {@code HttpServerExchange} (a
 * public final class; its {@code HeaderMap}, {@code HttpString}, {@code SecurityContext}, {@code Account} and
 * {@code Sender} are public too): the agent cannot link against Undertow.
 */
final class UndertowApi implements ServerApi {
    static final String EXCHANGE = "io.undertow.server.HttpServerExchange";
    /** undertow-servlet's state of a servlet request on the exchange (absent without undertow-servlet). */
    private static final String SERVLET_CONTEXT = "io.undertow.servlet.handlers.ServletRequestContext";

    private final Method getRequestMethod;
    private final Method getRequestURI;
    private final Method isHostIncludedInRequestURI;
    private final Method getQueryString;
    private final Method getRequestHeaders;
    private final Method headerGetFirst;
    private final Method getSourceAddress;
    private final Method getSecurityContext;
    private final Method isAuthenticated;
    private final Method getAuthenticatedAccount;
    private final Method getPrincipal;
    private final Method getMechanismName;
    private final Method getConnection;
    private final Method getSslSessionInfo;
    private final Method getPeerCertificates;
    private final Method isResponseStarted;
    private final Method getResponseHeaders;
    private final Method headersClear;
    private final Method headersPut;
    private final Constructor<?> httpString;
    private final Method setStatusCode;
    private final Method setResponseContentLength;
    private final Method getResponseSender;
    private final Method sendBuffer;
    private final Method getAttachment;
    private final Method putAttachment;
    /** The exception {@code executeRootHandler} caught, kept on the exchange for its default response listeners. */
    private final Object exceptionKey;
    /** Ours: the request's first refusal. */
    private final Object refusalKey;
    private final ClassLoader loader;
    private volatile ServletContextApi servletContext;

    private UndertowApi(Class<?> exchange) throws ReflectiveOperationException {
        loader = exchange.getClassLoader();
        getRequestMethod = exchange.getMethod("getRequestMethod");
        getRequestURI = exchange.getMethod("getRequestURI");
        isHostIncludedInRequestURI = exchange.getMethod("isHostIncludedInRequestURI");
        getQueryString = exchange.getMethod("getQueryString");
        getRequestHeaders = exchange.getMethod("getRequestHeaders");
        Class<?> headerMap = getRequestHeaders.getReturnType();
        headerGetFirst = headerMap.getMethod("getFirst", String.class);
        getSourceAddress = exchange.getMethod("getSourceAddress");
        getSecurityContext = exchange.getMethod("getSecurityContext");
        Class<?> securityContext = getSecurityContext.getReturnType();
        isAuthenticated = securityContext.getMethod("isAuthenticated");
        getAuthenticatedAccount = securityContext.getMethod("getAuthenticatedAccount");
        getPrincipal = getAuthenticatedAccount.getReturnType().getMethod("getPrincipal");
        getMechanismName = securityContext.getMethod("getMechanismName");
        getConnection = exchange.getMethod("getConnection");
        getSslSessionInfo = getConnection.getReturnType().getMethod("getSslSessionInfo");
        getPeerCertificates = getSslSessionInfo.getReturnType().getMethod("getPeerCertificates");
        isResponseStarted = exchange.getMethod("isResponseStarted");
        getResponseHeaders = exchange.getMethod("getResponseHeaders");
        headersClear = headerMap.getMethod("clear");
        Class<?> name = Class.forName("io.undertow.util.HttpString", false, loader);
        headersPut = headerMap.getMethod("put", name, String.class);
        httpString = name.getConstructor(String.class);
        setStatusCode = exchange.getMethod("setStatusCode", int.class);
        setResponseContentLength = exchange.getMethod("setResponseContentLength", long.class);
        getResponseSender = exchange.getMethod("getResponseSender");
        sendBuffer = getResponseSender.getReturnType().getMethod("send", ByteBuffer.class);
        Class<?> attachmentKey = Class.forName("io.undertow.util.AttachmentKey", false, loader);
        getAttachment = exchange.getMethod("getAttachment", attachmentKey);
        putAttachment = exchange.getMethod("putAttachment", attachmentKey, Object.class);
        exceptionKey = Class.forName("io.undertow.server.DefaultResponseListener", true, loader)
                .getField("EXCEPTION").get(null);
        refusalKey = attachmentKey.getMethod("create", Class.class).invoke(null, Object.class);
    }

    /** @return the API of {@code type}, or {@code null} when it is no Undertow exchange */
    static UndertowApi of(Class<?> type) {
        if (!type.getName().equals(EXCHANGE)) {
            return null;
        }
        try {
            return new UndertowApi(type);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("unexpected Undertow API " + type, e);
        }
    }

    @Override
    public RequestView view(Object request, Object response) {
        return new UndertowRequestView(this, request);
    }

    String method(Object exchange) {
        return String.valueOf(Types.call(getRequestMethod, exchange));
    }

    /** The path as the client sent it (percent-encoded, no query); an absolute-form request line's path only. */
    String path(Object exchange) {
        return pathOf((String) Types.call(getRequestURI, exchange),
                Boolean.TRUE.equals(Types.call(isHostIncludedInRequestURI, exchange)));
    }

    /** The path of Undertow's request URI, which holds scheme and host too after an absolute-form request line. */
    static String pathOf(String uri, boolean hostIncluded) {
        if (uri == null || !hostIncluded) {
            return uri;
        }
        int scheme = uri.indexOf("://");
        int slash = scheme < 0 ? -1 : uri.indexOf('/', scheme + 3);
        return scheme < 0 ? uri : slash < 0 ? "/" : uri.substring(slash);
    }

    /** The raw query; {@code null} when the request has none (Undertow reports an empty one). */
    String rawQuery(Object exchange) {
        String query = (String) Types.call(getQueryString, exchange);
        return query == null || query.isEmpty() ? null : query;
    }

    String header(Object exchange, String name) {
        return (String) Types.call(headerGetFirst, Types.call(getRequestHeaders, exchange), name);
    }

    Object sourceAddress(Object exchange) {
        return Types.call(getSourceAddress, exchange);
    }

    /** The authenticated account's principal; {@code null} without a security handler or an authentication. */
    java.security.Principal principal(Object exchange) {
        Object security = Types.call(getSecurityContext, exchange);
        if (security == null || !Boolean.TRUE.equals(Types.call(isAuthenticated, security))) {
            return null;
        }
        Object account = Types.call(getAuthenticatedAccount, security);
        return account != null && Types.call(getPrincipal, account) instanceof java.security.Principal p
                ? p : null;
    }

    /**
     * The name the authenticating mechanism gave ({@code BASIC}, {@code FORM}, {@code DIGEST}, {@code CLIENT_CERT},
     * or any name of an application's own mechanism); a cached session login keeps its original mechanism's.
     */
    String mechanism(Object exchange) {
        Object security = Types.call(getSecurityContext, exchange);
        return security == null || !Boolean.TRUE.equals(Types.call(isAuthenticated, security))
                ? null : (String) Types.call(getMechanismName, security);
    }

    /** Whether the TLS session holds a client certificate (TLS verified it). */
    boolean hasPeerCertificate(Object exchange) {
        Object connection = Types.call(getConnection, exchange);
        Object ssl = connection == null ? null : Types.call(getSslSessionInfo, connection);
        if (ssl == null) {
            return false;
        }
        try {
            return getPeerCertificates.invoke(ssl) instanceof Object[] certificates && certificates.length > 0;
        } catch (InvocationTargetException e) { // SSLPeerUnverifiedException: none presented
            return false;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("getPeerCertificates is not accessible", e);
        }
    }

    Object refusal(Object exchange) {
        return Types.call(getAttachment, exchange, refusalKey);
    }

    void refusal(Object exchange, Object refusal) {
        Types.call(putAttachment, exchange, refusalKey, refusal);
    }

    /** The exception {@code executeRootHandler} caught from the handler; {@code null} when none. */
    Object handlerException(Object exchange) {
        return Types.call(getAttachment, exchange, exceptionKey);
    }

    /**
     * Sends {@code status} and the body while the response has not started, through the exchange's sender (it ends
     * the exchange when written).
     *
     * @return whether it was sent
     */
    boolean send(Object exchange, int status, String contentType, byte[] body) throws ReflectiveOperationException {
        if (Boolean.TRUE.equals(Types.call(isResponseStarted, exchange))) {
            return false;
        }
        Object headers = Types.call(getResponseHeaders, exchange);
        Types.call(headersClear, headers);
        Types.call(setStatusCode, exchange, status);
        Types.call(headersPut, headers, httpString.newInstance("Content-Type"), contentType);
        Types.call(setResponseContentLength, exchange, (long) body.length);
        Types.call(sendBuffer, Types.call(getResponseSender, exchange), ByteBuffer.wrap(body));
        return true;
    }

    /**
     * The servlet request and response undertow-servlet keeps on the exchange ({@code ServletRequestContext});
     * {@code null} when the exchange serves no servlet (or undertow-servlet is not visible from here).
     */
    Object[] servletRequestAndResponse(Object exchange) {
        ServletContextApi api = servletContext;
        if (api == null) { // once: undertow-servlet beside undertow-core, or NONE
            api = ServletContextApi.resolve(loader);
            servletContext = api = api != null ? api : ServletContextApi.NONE;
        }
        if (api == ServletContextApi.NONE) { // in its own loader (JBoss Modules): the application's may see it
            api = ServletContextApi.resolve(Thread.currentThread().getContextClassLoader());
            if (api == null) {
                return null;
            }
        }
        Object context = Types.call(getAttachment, exchange, api.key);
        return context == null ? null : new Object[] {
            Types.call(api.getServletRequest, context), Types.call(api.getServletResponse, context)};
    }

    /** undertow-servlet's {@code ServletRequestContext}: its attachment key and accessors. */
    private record ServletContextApi(Object key, Method getServletRequest, Method getServletResponse) {
        static final ServletContextApi NONE = new ServletContextApi(null, null, null);

        static ServletContextApi resolve(ClassLoader loader) {
            if (loader == null || loader == ClassLoader.getPlatformClassLoader()) {
                return null;
            }
            try {
                Class<?> type = Class.forName(SERVLET_CONTEXT, true, loader);
                return new ServletContextApi(type.getField("ATTACHMENT_KEY").get(null),
                        type.getMethod("getServletRequest"), type.getMethod("getServletResponse"));
            } catch (ReflectiveOperationException | LinkageError e) {
                return null;
            }
        }
    }
}
