package dev.hostguard.agent.context;

import java.security.Principal;
import java.util.Map;

/**
 * A Spring WebFlux request ({@code ServerWebExchange}), read through reflection. Spring Security WebFlux keeps the
 * request's {@code Authentication} in the Reactor Context, out of a thread's reach: its filters' hooks note it in the
 * exchange's attributes ({@link #noteLogin}), which every decorator of the exchange shares; so is the one it loads from
 * the {@code WebSession} for a later request of a login's session ({@link #whenLoginLoaded}). WebFlux answers later, on
 * whatever thread the chain ends, and turns every error into its own answer: so the request keeps its refusal there
 * too, and the 403 is put in place of the error handlers' answer ({@link #answer}).
 */
final class WebFluxRequestView implements RequestView {
    /** The {@code Authentication} Spring Security established for the request (a {@code Principal}). */
    static final String PRINCIPAL = "dev.hostguard.agent.principal";
    /** The first refusal of an operation of the request (a {@code HostGuardBlockedException}). */
    static final String REFUSAL = "dev.hostguard.agent.refusal";

    private final WebFluxApi api;
    private final Object exchange;
    private final Object request;

    WebFluxRequestView(WebFluxApi api, Object exchange) {
        this.api = api;
        this.exchange = exchange;
        this.request = api.request(exchange);
    }

    @Override
    public String method() {
        return api.method(request);
    }

    @Override
    public String path() {
        return api.uri(request).getRawPath();
    }

    @Override
    public String clientIp() {
        return RequestView.ipOf(api.remoteAddress(request));
    }

    @Override
    public String header(String name) {
        return api.header(request, name);
    }

    @Override
    public String rawQuery() {
        return api.uri(request).getRawQuery();
    }

    @Override
    public Principal principal() {
        return api.attributes(exchange).get(PRINCIPAL) instanceof Principal principal ? principal : null;
    }

    /** None: Spring Security's {@code Authentication} types tell the logins apart ({@link Logins}). */
    @Override
    public String authType() {
        return null;
    }

    @Override
    public boolean hasVerifiedClientCertificate() {
        return api.hasCertificate(request);
    }

    /** WebFlux answers later: the refusal is kept on the exchange, and {@link #answer} replaces the error's answer. */
    @Override
    public boolean respond(int status, String contentType, byte[] body) {
        return false;
    }

    @Override
    public void noteRefusal(Object refusal) {
        api.attributes(exchange).putIfAbsent(REFUSAL, refusal);
    }

    @Override
    public Object notedRefusal() {
        return api.attributes(exchange).get(REFUSAL);
    }

    @Override
    public Object answer(int status, String contentType, byte[] body) {
        return api.answer(exchange, status, contentType, body);
    }

    /**
     * The {@code Authentication} a Spring Security filter established (or the anonymous one it made), or the
     * {@code SecurityContext} holding the one Spring Security loaded from the {@code WebSession}
     * ({@link #whenLoginLoaded}).
     */
    @Override
    public void noteLogin(Object verdict) {
        Object login = verdict instanceof Principal ? verdict : WebFluxSessionLogin.authenticationOf(verdict);
        if (login instanceof Principal) {
            Map<String, Object> attributes = api.attributes(exchange);
            attributes.put(PRINCIPAL, login);
        }
    }

    /**
     * The {@code Mono<SecurityContext>} {@code WebSessionServerSecurityContextRepository.load} returns for this
     * exchange, noting the context's {@code Authentication} here as it is emitted ({@link WebFluxSessionLogin}).
     */
    @Override
    public Object whenLoginLoaded(Object pending) {
        return api.onEachValue(pending, new WebFluxSessionLogin(exchange));
    }
}
