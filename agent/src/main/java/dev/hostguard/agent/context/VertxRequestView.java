package dev.hostguard.agent.context;

import dev.hostguard.agent.bootstrap.HostGuardBlockedException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;

/**
 * A vertx-web request, its {@code RoutingContext} (Vert.x 5 and 4.5, and Quarkus, whose HTTP layer is a vertx-web
 * Router), read through reflection. The request's notes live in the routing context's own data, which lives as long
 * as the request. A refusal is answered with the 403 where the response is still open when the handler returns, or,
 * when the request failed into the server's own error answer (the Router's default 500, Quarkus' error handler), in
 * its place ({@link #answer}). Work the request hands over keeps its refusals here too: an event-bus reply carries
 * only a failure's text.
 */
final class VertxRequestView implements RequestView {
    /** The first refusal of an operation of the request (a {@code HostGuardBlockedException}). */
    static final String REFUSAL = "dev.hostguard.agent.refusal";
    /** The {@code Future<User>} of a Basic login vertx-web's {@code BasicAuthHandler} checked against its provider. */
    static final String BASIC_LOGIN = "dev.hostguard.agent.basic-login";
    /** The principal made for the request's Vert.x user, kept so that it stays the same object. */
    private static final String PRINCIPAL = "dev.hostguard.agent.principal";
    /** Where Quarkus' Basic and form mechanisms note themselves on the routing context when they read credentials. */
    private static final String QUARKUS_MECHANISM = "io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism";
    private static final String QUARKUS_SECURITY = "io.quarkus.vertx.http.runtime.security.";

    private final VertxApi api;
    private final Object ctx;

    VertxRequestView(VertxApi api, Object ctx) {
        this.api = api;
        this.ctx = ctx;
    }

    @Override
    public String method() {
        return api.method(ctx);
    }

    @Override
    public String path() {
        return api.path(ctx);
    }

    @Override
    public String clientIp() {
        return api.clientIp(ctx);
    }

    @Override
    public String header(String name) {
        return api.header(ctx, name);
    }

    @Override
    public String rawQuery() {
        return api.query(ctx);
    }

    @Override
    public Principal principal() {
        Object user = api.user(ctx);
        if (user == null) {
            return null;
        }
        if (api.data(ctx, PRINCIPAL) instanceof VertxApi.VertxUser kept && kept.user() == user) {
            return kept;
        }
        Principal principal = api.principal(user);
        if (principal instanceof VertxApi.VertxUser made) {
            api.data(ctx, PRINCIPAL, made);
        }
        return principal;
    }

    /**
     * {@code BASIC} when the request's user is the one its own Basic login produced (vertx-web's
     * {@code BasicAuthHandler}, or Quarkus' Basic mechanism, each checked against the service's user store),
     * {@code FORM} for Quarkus' form login; else {@code null}: a Vert.x user's type is the same for every mechanism.
     */
    @Override
    public String authType() {
        Object user = api.user(ctx);
        if (user == null) {
            return null;
        }
        Object login = api.data(ctx, BASIC_LOGIN);
        if (login != null && VertxApi.result(login) == user) {
            return "BASIC";
        }
        Object mechanism = api.data(ctx, QUARKUS_MECHANISM);
        if (mechanism != null) {
            String type = mechanism.getClass().getName();
            if (type.equals(QUARKUS_SECURITY + "BasicAuthenticationMechanism")) {
                return "BASIC";
            }
            if (type.equals(QUARKUS_SECURITY + "FormAuthenticationMechanism")) {
                return "FORM";
            }
        }
        return null;
    }

    @Override
    public boolean hasVerifiedClientCertificate() {
        return api.hasVerifiedClientCertificate(ctx);
    }

    @Override
    public boolean respond(int status, String contentType, byte[] body) {
        return api.respond(ctx, status, contentType, new String(body, StandardCharsets.UTF_8));
    }

    @Override
    public void noteRefusal(Object refusal) {
        if (api.data(ctx, REFUSAL) == null) {
            api.data(ctx, REFUSAL, refusal);
        }
    }

    @Override
    public boolean keepsHandedOverRefusals() {
        return true;
    }

    /** The refusal noted on the request, or the one that caused the request's failure. */
    @Override
    public Object notedRefusal() {
        Object noted = api.data(ctx, REFUSAL);
        if (noted != null) {
            return noted;
        }
        Throwable failure = api.failure(ctx);
        for (int i = 0; failure != null && i < 16; i++, failure = failure.getCause()) {
            if (failure instanceof HostGuardBlockedException) {
                return failure;
            }
        }
        return null;
    }

    /** Writes the 403 in place of the server's error answer: the response, or {@code null} when it was not open. */
    @Override
    public Object answer(int status, String contentType, byte[] body) {
        return respond(status, contentType, body) ? Boolean.TRUE : null;
    }

    /** vertx-web's {@code BasicAuthHandler} checked a login: its {@code Future<User>} is kept on the request. */
    @Override
    public void noteLogin(Object verdict) {
        api.data(ctx, BASIC_LOGIN, verdict);
    }
}
