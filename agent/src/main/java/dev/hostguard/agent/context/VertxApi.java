package dev.hostguard.agent.context;

import java.lang.reflect.Method;
import java.security.Principal;

/**
 * The few vertx-web methods the guard calls, resolved on the public interfaces of the service's own copy
 * ({@code io.vertx.ext.web.RoutingContext}, {@code io.vertx.core.http.HttpServerRequest}, {@code HttpServerResponse};
 * Vert.x 4.5 and 5 alike): the agent cannot link against Vert.x. The routing context is the request: it reaches the
 * HTTP request and response, the user an authentication handler set ({@code RoutingContext.user()}) and the request's
 * own data ({@code get} / {@code put}), where the guard keeps its notes.
 */
final class VertxApi implements ServerApi {
    static final String ROUTING_CONTEXT = "io.vertx.ext.web.RoutingContext";
    /** Quarkus' user on the routing context: it holds Quarkus' {@code SecurityIdentity}. */
    private static final String QUARKUS_USER = "io.quarkus.vertx.http.runtime.security.QuarkusHttpUser";
    private static final String QUARKUS_IDENTITY = "io.quarkus.security.identity.SecurityIdentity";
    private static final String VERTX_USER = "io.vertx.ext.auth.User";

    private final Method request;
    private final Method response;
    private final Method user;
    private final Method get;
    private final Method put;
    private final Method failure;
    private final Method method;
    private final Method path;
    private final Method query;
    private final Method getHeader;
    private final Method remoteAddress;
    private final Method sslSession;
    private final Method ended;
    private final Method headWritten;
    private final Method setStatusCode;
    private final Method putHeader;
    private final Method end;

    /** Per user class: how to read whose it is (a Vert.x {@code User}, or Quarkus' identity). */
    private final ClassValue<Users> users = new ClassValue<>() {
        @Override
        protected Users computeValue(Class<?> type) {
            return Users.of(type);
        }
    };

    private VertxApi(Class<?> context) throws ReflectiveOperationException {
        request = context.getMethod("request");
        response = context.getMethod("response");
        user = context.getMethod("user");
        get = context.getMethod("get", String.class);
        put = context.getMethod("put", String.class, Object.class);
        failure = context.getMethod("failure");
        Class<?> httpRequest = request.getReturnType();
        method = httpRequest.getMethod("method");
        path = httpRequest.getMethod("path");
        query = httpRequest.getMethod("query");
        getHeader = httpRequest.getMethod("getHeader", String.class);
        remoteAddress = httpRequest.getMethod("remoteAddress");
        sslSession = httpRequest.getMethod("sslSession");
        Class<?> httpResponse = response.getReturnType();
        ended = httpResponse.getMethod("ended");
        headWritten = httpResponse.getMethod("headWritten");
        setStatusCode = httpResponse.getMethod("setStatusCode", int.class);
        putHeader = httpResponse.getMethod("putHeader", String.class, String.class);
        end = httpResponse.getMethod("end", String.class);
    }

    /** @return the API {@code contextClass} implements, or {@code null} when it is no vertx-web routing context */
    static VertxApi of(Class<?> contextClass) {
        Class<?> api = Types.findSuperType(contextClass, ROUTING_CONTEXT);
        if (api == null) {
            return null;
        }
        try {
            return new VertxApi(api);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("unexpected vertx-web API " + api, e);
        }
    }

    @Override
    public RequestView view(Object request, Object response) {
        return new VertxRequestView(this, request);
    }

    Object request(Object ctx) {
        return Types.call(request, ctx);
    }

    String method(Object ctx) {
        return String.valueOf(Types.call(method, request(ctx)));
    }

    String path(Object ctx) {
        return (String) Types.call(path, request(ctx));
    }

    String query(Object ctx) {
        return (String) Types.call(query, request(ctx));
    }

    String header(Object ctx, String name) {
        return (String) Types.call(getHeader, request(ctx), name);
    }

    /** The client's address as Vert.x reports it ({@code SocketAddress.hostAddress()}); {@code null} when none. */
    String clientIp(Object ctx) {
        Object address = Types.call(remoteAddress, request(ctx));
        if (address == null) {
            return null;
        }
        try {
            return (String) Types.findSuperType(address.getClass(), "io.vertx.core.net.SocketAddress")
                    .getMethod("hostAddress").invoke(address);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Whether the TLS session holds a client certificate the server verified (Vert.x keeps only verified ones). */
    boolean hasVerifiedClientCertificate(Object ctx) {
        if (!(Types.call(sslSession, request(ctx)) instanceof javax.net.ssl.SSLSession session)) {
            return false;
        }
        try {
            return session.getPeerCertificates().length > 0;
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return false;
        }
    }

    /** The user an authentication handler set on the request; {@code null} when none. */
    Object user(Object ctx) {
        return Types.call(user, ctx);
    }

    /**
     * The verified principal of {@code user}: Quarkus' {@code SecurityIdentity} principal ({@code null} for its
     * anonymous identity), or a Vert.x {@code User}'s subject.
     */
    Principal principal(Object user) {
        return users.get(user.getClass()).principal(user);
    }

    Object data(Object ctx, String key) {
        return Types.call(get, ctx, key);
    }

    void data(Object ctx, String key, Object value) {
        Types.call(put, ctx, key, value);
    }

    Throwable failure(Object ctx) {
        return (Throwable) Types.call(failure, ctx);
    }

    /** Answers {@code status} with the body when the response is still open. @return whether it did */
    boolean respond(Object ctx, int status, String contentType, String body) {
        Object r = Types.call(response, ctx);
        if (Boolean.TRUE.equals(Types.call(ended, r)) || Boolean.TRUE.equals(Types.call(headWritten, r))) {
            return false;
        }
        Types.call(setStatusCode, r, status);
        Types.call(putHeader, r, "Content-Type", contentType);
        Types.call(end, r, body);
        return true;
    }

    /** The result of a Vert.x {@code Future} that completed; {@code null} otherwise (never waits). */
    static Object result(Object future) {
        Class<?> type = future == null ? null : Types.findSuperType(future.getClass(), "io.vertx.core.Future");
        if (type == null) {
            return null;
        }
        try {
            return Boolean.TRUE.equals(type.getMethod("succeeded").invoke(future))
                    ? type.getMethod("result").invoke(future) : null;
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /** How a user class is read. */
    private record Users(Method identity, Method identityPrincipal, Method anonymous, Method subject) {
        static Users of(Class<?> type) {
            try {
                Class<?> quarkus = Types.findSuperType(type, QUARKUS_USER);
                if (quarkus != null) {
                    Method identity = quarkus.getMethod("getSecurityIdentity");
                    Class<?> securityIdentity = Types.findSuperType(identity.getReturnType(), QUARKUS_IDENTITY);
                    return new Users(identity, securityIdentity.getMethod("getPrincipal"),
                            securityIdentity.getMethod("isAnonymous"), null);
                }
                Class<?> vertx = Types.findSuperType(type, VERTX_USER);
                return new Users(null, null, null, vertx == null ? null : vertx.getMethod("subject"));
            } catch (ReflectiveOperationException e) {
                return new Users(null, null, null, null);
            }
        }

        Principal principal(Object user) {
            if (identity != null) {
                Object id = Types.call(identity, user);
                return id == null || Boolean.TRUE.equals(Types.call(anonymous, id)) ? null
                        : (Principal) Types.call(identityPrincipal, id);
            }
            if (subject == null) {
                return null;
            }
            Object name = Types.call(subject, user);
            return new VertxUser(name == null ? null : name.toString(), user);
        }
    }

    /**
     * A Vert.x {@code User} as a principal: named by its subject. Vert.x users are JSON of the same type whatever
     * established them, so the type says nothing of a person; only the request's notes do.
     */
    static final class VertxUser implements Principal {
        private final String name;
        private final Object user;

        VertxUser(String name, Object user) {
            this.name = name;
            this.user = user;
        }

        Object user() {
            return user;
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public String toString() {
            return "VertxUser[" + name + "]";
        }
    }
}
