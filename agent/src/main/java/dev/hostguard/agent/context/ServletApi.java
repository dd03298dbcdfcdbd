package dev.hostguard.agent.context;

import java.lang.reflect.Method;

/**
 * The few {@code HttpServletRequest}/{@code HttpServletResponse} methods the guard calls, resolved on the
 * interfaces of whichever servlet API (Jakarta or javax) a request implements. The agent cannot link against
 * either: the API lives in the server's or the web application's class loader.
 */
final class ServletApi implements ServerApi {
    final String basePackage;
    final String certificateAttribute;
    /** Where forward and error dispatches keep the path the client asked for, in the order they nest. */
    final String[] originalUriAttributes;
    private final Method getMethod;
    private final Method getRequestUri;
    private final Method getRemoteAddr;
    private final Method getHeader;
    private final Method getQueryString;
    private final Method getUserPrincipal;
    private final Method getAuthType;
    private final Method getAttribute;
    /** The response's methods, found at the first answer of ours (most services never get one). */
    private volatile ResponseMethods responseMethods;

    private ServletApi(Class<?> request, String basePackage) throws NoSuchMethodException {
        this.basePackage = basePackage;
        certificateAttribute = basePackage + ".request.X509Certificate";
        originalUriAttributes = new String[] {basePackage + ".error.request_uri", basePackage + ".forward.request_uri"};
        getMethod = request.getMethod("getMethod");
        getRequestUri = request.getMethod("getRequestURI");
        getRemoteAddr = request.getMethod("getRemoteAddr");
        getHeader = request.getMethod("getHeader", String.class);
        getQueryString = request.getMethod("getQueryString");
        getUserPrincipal = request.getMethod("getUserPrincipal");
        getAuthType = request.getMethod("getAuthType");
        getAttribute = request.getMethod("getAttribute", String.class);
    }

    /** @return the API {@code requestClass} implements, or {@code null} when it is no HTTP servlet request */
    static ServletApi of(Class<?> requestClass) {
        for (String base : new String[] {"jakarta.servlet", "javax.servlet"}) {
            Class<?> api = Types.findSuperType(requestClass, base + ".http.HttpServletRequest");
            if (api != null) {
                try {
                    return new ServletApi(api, base);
                } catch (NoSuchMethodException e) {
                    throw new IllegalStateException("unexpected servlet API " + api, e);
                }
            }
        }
        return null;
    }

    @Override
    public RequestView view(Object request, Object response) {
        return new ServletRequestView(this, request, response);
    }

    String method(Object r) {
        return (String) Types.call(getMethod, r);
    }

    String requestUri(Object r) {
        return (String) Types.call(getRequestUri, r);
    }

    String remoteAddr(Object r) {
        return (String) Types.call(getRemoteAddr, r);
    }

    String header(Object r, String name) {
        return (String) Types.call(getHeader, r, name);
    }

    String queryString(Object r) {
        return (String) Types.call(getQueryString, r);
    }

    Object userPrincipal(Object r) {
        return Types.call(getUserPrincipal, r);
    }

    String authType(Object r) {
        return (String) Types.call(getAuthType, r);
    }

    Object attribute(Object r, String name) {
        return Types.call(getAttribute, r, name);
    }

    /**
     * The response methods of {@code response}'s class, found once per class (a server uses one) rather than looked
     * up (and copied: {@code getMethod} returns a new {@code Method}) six times for every refusal. {@code null} when
     * it is no HTTP servlet response.
     */
    ResponseMethods responseMethods(Object response) {
        ResponseMethods known = responseMethods;
        if (known != null && known.type == response.getClass()) {
            return known;
        }
        Class<?> http = Types.findSuperType(response.getClass(), basePackage + ".http.HttpServletResponse");
        if (http == null) {
            return null;
        }
        try {
            known = new ResponseMethods(response.getClass(), http);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("unexpected servlet API " + http, e);
        }
        responseMethods = known;
        return known;
    }

    /** The {@code HttpServletResponse} methods the guard's answer calls, for one response class. */
    static final class ResponseMethods {
        final Class<?> type;
        final Method isCommitted;
        final Method reset;
        final Method setStatus;
        final Method setContentType;
        final Method setContentLength;
        final Method getOutputStream;

        private ResponseMethods(Class<?> type, Class<?> http) throws NoSuchMethodException {
            this.type = type;
            isCommitted = http.getMethod("isCommitted");
            reset = http.getMethod("reset");
            setStatus = http.getMethod("setStatus", int.class);
            setContentType = http.getMethod("setContentType", String.class);
            setContentLength = http.getMethod("setContentLength", int.class);
            getOutputStream = http.getMethod("getOutputStream");
        }
    }
}
