package dev.hostguard.agent.context;

import java.lang.reflect.Method;
import java.util.Optional;

/**
 * The few Helidon SE 4 web server methods the guard calls, resolved on the public interfaces of the service's own
 * copy ({@code io.helidon.webserver.http.ServerRequest}, {@code RoutingResponse}; the implementations are package
 * private): the agent cannot link against Helidon. Who is calling is Helidon Security's {@code SecurityContext} in
 * the request's context, when the service has Helidon Security.
 */
final class HelidonApi implements ServerApi {
    static final String REQUEST = "io.helidon.webserver.http.ServerRequest";
    static final String RESPONSE = "io.helidon.webserver.http.RoutingResponse";
    /** Helidon Security's HTTP Basic provider marks the user subject it authenticated against its user store. */
    private static final String BASIC_CREDENTIALS =
            "io.helidon.security.providers.httpauth.HttpBasicAuthProvider$BasicPrivateCredentials";
    /** The HTTP Digest provider keeps the user store's user as the subject's private credential. */
    private static final String DIGEST_USER = "io.helidon.security.providers.httpauth.SecureUserStore$User";

    /** Which side {@link #of} found. */
    final boolean response;
    private Method prologue;
    private Method method;
    private Method methodText;
    private Method uriPath;
    private Method rawPath;
    private Method query;
    private Method rawQuery;
    private Method headers;
    private Method headerFirst;
    private Method headerName;
    private Method remotePeer;
    private Method peerAddress;
    private Method tlsCertificates;
    private Method context;
    private Method contextGet;
    private Class<?> securityContext;
    private Method isAuthenticated;
    private Method user;
    private Method service;
    private Method subjectPrincipal;
    private Method privateCredential;
    private Class<?> basicCredentials;
    private Class<?> digestUser;
    private Method isSent;
    private Method reset;
    private Method status;
    private Method header;
    private Method send;

    private HelidonApi(Class<?> api, boolean response) throws ReflectiveOperationException {
        this.response = response;
        ClassLoader loader = api.getClassLoader();
        if (response) {
            isSent = api.getMethod("isSent");
            reset = api.getMethod("reset");
            status = api.getMethod("status", int.class);
            header = api.getMethod("header", String.class, String[].class);
            send = api.getMethod("send", byte[].class);
            return;
        }
        prologue = api.getMethod("prologue");
        method = prologue.getReturnType().getMethod("method");
        methodText = method.getReturnType().getMethod("text");
        uriPath = prologue.getReturnType().getMethod("uriPath");
        rawPath = uriPath.getReturnType().getMethod("rawPath");
        query = prologue.getReturnType().getMethod("query");
        rawQuery = query.getReturnType().getMethod("rawValue");
        headers = api.getMethod("headers");
        Class<?> name = Class.forName("io.helidon.http.HeaderName", false, loader);
        headerFirst = headers.getReturnType().getMethod("first", name);
        headerName = Class.forName("io.helidon.http.HeaderNames", false, loader).getMethod("create", String.class);
        remotePeer = api.getMethod("remotePeer");
        peerAddress = remotePeer.getReturnType().getMethod("address");
        tlsCertificates = remotePeer.getReturnType().getMethod("tlsCertificates");
        context = api.getMethod("context");
        contextGet = context.getReturnType().getMethod("get", Class.class);
        securityContext = load("io.helidon.security.SecurityContext", loader);
        if (securityContext != null) {
            isAuthenticated = securityContext.getMethod("isAuthenticated");
            user = securityContext.getMethod("user");
            service = securityContext.getMethod("service");
            Class<?> subject = Class.forName("io.helidon.security.Subject", false, loader);
            subjectPrincipal = subject.getMethod("principal");
            privateCredential = subject.getMethod("privateCredential", Class.class);
            basicCredentials = load(BASIC_CREDENTIALS, loader);
            digestUser = load(DIGEST_USER, loader);
        }
    }

    /** A class the service may not have (Helidon Security and its providers are optional). */
    private static Class<?> load(String name, ClassLoader loader) {
        try {
            return Class.forName(name, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    /** @return the API of {@code type}, a request or a response, or {@code null} when it is neither */
    static HelidonApi of(Class<?> type) {
        Class<?> request = Types.findSuperType(type, REQUEST);
        Class<?> response = request != null ? null : Types.findSuperType(type, RESPONSE);
        if (request == null && response == null) {
            return null;
        }
        try {
            return new HelidonApi(request != null ? request : response, response != null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("unexpected Helidon web server API " + type, e);
        }
    }

    @Override
    public RequestView view(Object request, Object response) {
        if (this.response) { // a response alone, where Helidon answers an exception
            return new HelidonRequestView(null, null, request);
        }
        return new HelidonRequestView(this, request, response);
    }

    String method(Object r) {
        return (String) Types.call(methodText, Types.call(method, Types.call(prologue, r)));
    }

    /** The path as sent, still percent-encoded, no query. */
    String path(Object r) {
        return (String) Types.call(rawPath, Types.call(uriPath, Types.call(prologue, r)));
    }

    /** The raw query; {@code null} when empty. */
    String rawQuery(Object r) {
        Object value = Types.call(rawQuery, Types.call(query, Types.call(prologue, r)));
        return value instanceof String s && !s.isEmpty() ? s : null;
    }

    String header(Object r, String name) {
        Object first = Types.call(headerFirst, Types.call(headers, r),
                Types.call(headerName, null, name));
        return first instanceof Optional<?> value ? (String) value.orElse(null) : null;
    }

    Object remoteAddress(Object r) {
        return Types.call(peerAddress, Types.call(remotePeer, r));
    }

    boolean hasCertificate(Object r) {
        return Types.call(tlsCertificates, Types.call(remotePeer, r)) instanceof Optional<?> certificates
                && certificates.orElse(null) instanceof Object[] chain && chain.length > 0;
    }

    /** The request's authenticated {@code SecurityContext}; {@code null} without Helidon Security or a login. */
    private Object security(Object r) {
        if (securityContext == null) {
            return null;
        }
        Object found = Types.call(contextGet, Types.call(context, r), securityContext);
        Object security = found instanceof Optional<?> value ? value.orElse(null) : null;
        return security != null && Boolean.TRUE.equals(Types.call(isAuthenticated, security)) ? security : null;
    }

    /** The authenticated subject: the user's, else the service's (a provider logs in one or the other). */
    private Object subject(Object r) {
        Object security = security(r);
        if (security == null) {
            return null;
        }
        Object subject = Types.call(user, security) instanceof Optional<?> u ? u.orElse(null) : null;
        if (subject == null) {
            subject = Types.call(service, security) instanceof Optional<?> s ? s.orElse(null) : null;
        }
        return subject;
    }

    java.security.Principal principal(Object r) {
        Object subject = subject(r);
        return subject != null && Types.call(subjectPrincipal, subject) instanceof java.security.Principal p
                ? p : null;
    }

    /**
     * {@code BASIC} or {@code DIGEST} when the request's <em>user</em> subject is the one Helidon's HTTP Basic or
     * Digest provider authenticated against its user store (the private credential it adds); else {@code null}: a
     * service subject, a header, a token, an application's own provider.
     */
    String userStoreLogin(Object r) {
        Object security = security(r);
        Object subject = security == null ? null
                : Types.call(user, security) instanceof Optional<?> u ? u.orElse(null) : null;
        if (subject == null) {
            return null;
        }
        if (basicCredentials != null && isPresent(Types.call(privateCredential, subject, basicCredentials))) {
            return "BASIC";
        }
        if (digestUser != null && isPresent(Types.call(privateCredential, subject, digestUser))) {
            return "DIGEST";
        }
        return null;
    }

    private static boolean isPresent(Object optional) {
        return optional instanceof Optional<?> value && value.isPresent();
    }

    /**
     * Sends {@code status} and the body when nothing was sent yet (the response's headers are reset first).
     *
     * @return whether it was sent
     */
    boolean send(Object response, int code, String contentType, byte[] body) {
        if (Boolean.TRUE.equals(Types.call(isSent, response))
                || !Boolean.TRUE.equals(Types.call(reset, response))) {
            return false;
        }
        Types.call(status, response, code);
        Types.call(header, response, "Content-Type", new String[] {contentType});
        Types.call(send, response, (Object) body);
        return true;
    }
}
