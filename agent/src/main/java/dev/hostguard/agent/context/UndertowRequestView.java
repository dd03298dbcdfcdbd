package dev.hostguard.agent.context;

import dev.hostguard.agent.bootstrap.HostGuardBlockedException;
import java.security.Principal;

/**
 * An Undertow exchange ({@code io.undertow.server.HttpServerExchange}: request and response at once), read through
 * reflection. Undertow answers an exception of the handler itself, before the request's entry returns: the
 * refusal is kept on the exchange, and the 403 is sent where the exchange is ended ({@link #answer}). Who is calling
 * is the exchange's {@code SecurityContext}: its account's principal, and the mechanism's name as the scheme.
 */
final class UndertowRequestView implements RequestView {
    private final UndertowApi api;
    private final Object exchange;

    UndertowRequestView(UndertowApi api, Object exchange) {
        this.api = api;
        this.exchange = exchange;
    }

    @Override
    public String method() {
        return api.method(exchange);
    }

    @Override
    public String path() {
        return api.path(exchange);
    }

    @Override
    public String clientIp() {
        return RequestView.ipOf(api.sourceAddress(exchange));
    }

    @Override
    public String header(String name) {
        return api.header(exchange, name);
    }

    @Override
    public String rawQuery() {
        return api.rawQuery(exchange);
    }

    @Override
    public Principal principal() {
        return api.principal(exchange);
    }

    /** The mechanism's name: Undertow's own are {@code BASIC}, {@code FORM}, {@code DIGEST}, {@code CLIENT_CERT}. */
    @Override
    public String authType() {
        return api.mechanism(exchange);
    }

    @Override
    public boolean hasVerifiedClientCertificate() {
        return api.hasPeerCertificate(exchange);
    }

    /**
     * The 403, while the response has not started. A servlet's exchange is answered through its servlet response
     * (undertow-servlet's state of the request), as a servlet container answers.
     */
    @Override
    public boolean respond(int status, String contentType, byte[] body) throws Exception {
        RequestView servlet = servletView();
        return servlet != null ? servlet.respond(status, contentType, body)
                : api.send(exchange, status, contentType, body);
    }

    /** The view of the servlet request the exchange serves (undertow-servlet); {@code null} when none. */
    private RequestView servletView() {
        Object[] servlet = api.servletRequestAndResponse(exchange);
        ServletApi servletApi = servlet == null || servlet[0] == null ? null : ServletApi.of(servlet[0].getClass());
        return servletApi == null ? null : new ServletRequestView(servletApi, servlet[0], servlet[1]);
    }

    @Override
    public void noteRefusal(Object refusal) {
        if (api.refusal(exchange) == null) {
            api.refusal(exchange, refusal);
        }
    }

    /**
     * The refusal kept on the exchange; else one that caused the exception Undertow caught from the handler (a
     * refusal in work the handler waited for, {@code Future.get}).
     */
    @Override
    public Object notedRefusal() {
        Object noted = api.refusal(exchange);
        if (noted != null) {
            return noted;
        }
        Throwable failure = api.handlerException(exchange) instanceof Throwable t ? t : null;
        for (int i = 0; failure != null && i < 16; i++, failure = failure.getCause()) {
            if (failure instanceof HostGuardBlockedException refusal) {
                return refusal;
            }
        }
        return null;
    }

    /**
     * The exchange is being ended after a refusal: the 403 is sent now when the response has not started.
     *
     * @return the exchange when the 403 was sent by its sender, which ends the exchange itself; {@code null}:
     *     Undertow ends it (also after a servlet's 403, written and closed through the servlet response)
     */
    @Override
    public Object answer(int status, String contentType, byte[] body) {
        try {
            RequestView servlet = servletView();
            if (servlet != null) {
                servlet.respond(status, contentType, body);
                return null;
            }
            return api.send(exchange, status, contentType, body) ? exchange : null;
        } catch (Exception e) {
            throw new IllegalStateException("the 403 could not be sent", e);
        }
    }
}
