package dev.hostguard.agent.context;

import java.security.Principal;

/**
 * A Micronaut request ({@code io.micronaut.http.HttpRequest}), read through reflection. Micronaut writes the response
 * after the handler, on whatever thread completes it, and turns every exception into its own error response: so the
 * 403 is not written here but substituted where Micronaut writes its answer ({@link #answer}), and the request keeps
 * its refusal and its logins in attributes only the server sets.
 */
final class MicronautRequestView implements RequestView {
    /** The first refusal of an operation of the request (a {@code HostGuardBlockedException}). */
    static final String REFUSAL = "dev.hostguard.agent.refusal";
    /** The user name of a login micronaut-security's {@code Authenticator} checked against the user store. */
    static final String USER_STORE_LOGIN = "dev.hostguard.agent.user-store-login";

    private final MicronautApi api;
    private final Object request;

    MicronautRequestView(MicronautApi api, Object request) {
        this.api = api;
        this.request = request;
    }

    @Override
    public String method() {
        return api.method(request);
    }

    @Override
    public String path() {
        return api.path(request);
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
        return api.principal(request);
    }

    /**
     * {@code USER_STORE} when the request's principal is the one its own login produced against the user store
     * (HTTP Basic, or the login endpoint); Micronaut's {@code Authentication} type is the same for every mechanism.
     */
    @Override
    public String authType() {
        Object login = api.attribute(request, USER_STORE_LOGIN);
        Principal principal = login == null ? null : principal();
        return principal != null && login.equals(principal.getName()) ? Logins.USER_STORE : null;
    }

    @Override
    public boolean hasVerifiedClientCertificate() {
        return api.hasCertificate(request);
    }

    /** Micronaut answers later: the refusal is kept on the request, and {@link #answer} replaces the response. */
    @Override
    public boolean respond(int status, String contentType, byte[] body) {
        return false;
    }

    @Override
    public void noteRefusal(Object refusal) {
        if (api.attribute(request, REFUSAL) == null) {
            api.attribute(request, REFUSAL, refusal);
        }
    }

    @Override
    public Object notedRefusal() {
        return api.attribute(request, REFUSAL);
    }

    @Override
    public Object answer(int status, String contentType, byte[] body) {
        return api.response(status, contentType, body);
    }

    /** micronaut-security's {@code AuthenticationResponse}: when it let the login in, the user's name is noted. */
    @Override
    public void noteLogin(Object verdict) {
        String user = api.authenticatedUser(verdict);
        if (user != null) {
            api.attribute(request, USER_STORE_LOGIN, user);
        }
    }
}
