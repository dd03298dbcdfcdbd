package dev.hostguard.agent.context;

import java.lang.reflect.Method;
import java.util.Optional;

/**
 * The few Micronaut HTTP methods the guard calls, resolved on the public interfaces of the service's own copy
 * ({@code io.micronaut.http.HttpRequest}, {@code MutableHttpResponse}): the agent cannot link against Micronaut.
 */
final class MicronautApi implements ServerApi {
    static final String REQUEST = "io.micronaut.http.HttpRequest";
    /** Where micronaut-security keeps the request's {@code Authentication} (a {@code Principal}). */
    private static final String AUTHENTICATION = "micronaut.AUTHENTICATION";

    private final Method getMethodName;
    private final Method getPath;
    private final Method getUri;
    private final Method getHeaders;
    private final Method headerGet;
    private final Method getRemoteAddress;
    private final Method getCertificate;
    private final Method getAttribute;
    private final Method setAttribute;
    private final Method status;
    private final Method statusValueOf;
    private final Method contentType;
    private final Method body;

    private MicronautApi(Class<?> request) throws ReflectiveOperationException {
        ClassLoader loader = request.getClassLoader();
        getMethodName = request.getMethod("getMethodName");
        getPath = request.getMethod("getPath");
        getUri = request.getMethod("getUri");
        getHeaders = request.getMethod("getHeaders");
        headerGet = getHeaders.getReturnType().getMethod("get", CharSequence.class);
        getRemoteAddress = request.getMethod("getRemoteAddress");
        getCertificate = request.getMethod("getCertificate");
        getAttribute = request.getMethod("getAttribute", CharSequence.class);
        setAttribute = Class.forName("io.micronaut.core.attr.MutableAttributeHolder", false, loader)
                .getMethod("setAttribute", CharSequence.class, Object.class);
        Class<?> httpStatus = Class.forName("io.micronaut.http.HttpStatus", false, loader);
        statusValueOf = httpStatus.getMethod("valueOf", int.class);
        status = Class.forName("io.micronaut.http.HttpResponse", false, loader).getMethod("status", httpStatus);
        Class<?> mutable = Class.forName("io.micronaut.http.MutableHttpResponse", false, loader);
        contentType = mutable.getMethod("contentType", CharSequence.class);
        body = mutable.getMethod("body", Object.class);
    }

    /** @return the API {@code requestClass} implements, or {@code null} when it is no Micronaut request */
    static MicronautApi of(Class<?> requestClass) {
        Class<?> api = Types.findSuperType(requestClass, REQUEST);
        if (api == null) {
            return null;
        }
        try {
            return new MicronautApi(api);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("unexpected Micronaut HTTP API " + api, e);
        }
    }

    @Override
    public RequestView view(Object request, Object response) {
        return new MicronautRequestView(this, request);
    }

    String method(Object r) {
        return (String) Types.call(getMethodName, r);
    }

    String path(Object r) {
        return (String) Types.call(getPath, r);
    }

    java.net.URI uri(Object r) {
        return (java.net.URI) Types.call(getUri, r);
    }

    String header(Object r, String name) {
        return (String) Types.call(headerGet, Types.call(getHeaders, r), name);
    }

    Object remoteAddress(Object r) {
        return Types.call(getRemoteAddress, r);
    }

    boolean hasCertificate(Object r) {
        return Types.call(getCertificate, r) instanceof Optional<?> certificate && certificate.isPresent();
    }

    java.security.Principal principal(Object r) {
        return attribute(r, AUTHENTICATION) instanceof java.security.Principal p ? p : null;
    }

    Object attribute(Object r, String name) {
        return Types.call(getAttribute, r, name) instanceof Optional<?> value ? value.orElse(null) : null;
    }

    void attribute(Object r, String name, Object value) {
        Types.call(setAttribute, r, name, value);
    }

    /**
     * The user an {@code AuthenticationResponse} let in; {@code null} when it refused. Read through its public
     * interface, which the response's class (often a lambda) implements.
     */
    String authenticatedUser(Object verdict) {
        Class<?> type = Types.findSuperType(verdict.getClass(),
                "io.micronaut.security.authentication.AuthenticationResponse");
        if (type == null) {
            return null;
        }
        try {
            if (!Boolean.TRUE.equals(type.getMethod("isAuthenticated").invoke(verdict))) {
                return null;
            }
            return type.getMethod("getAuthentication").invoke(verdict) instanceof Optional<?> authentication
                    && authentication.orElse(null) instanceof java.security.Principal user ? user.getName() : null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("unexpected micronaut-security AuthenticationResponse " + type, e);
        }
    }

    /** A response of the service's Micronaut: {@code status}, the content type and the body's bytes as they are. */
    Object response(int code, String type, byte[] bytes) {
        Object response = Types.call(status, null, Types.call(statusValueOf, null, code));
        Types.call(contentType, response, type);
        return Types.call(body, response, (Object) bytes);
    }
}
