package dev.hostguard.agent.context;

import java.security.Principal;

/**
 * A Helidon SE 4 request and its response ({@code ServerRequest}, {@code RoutingResponse}), read through
 * reflection. Helidon answers every exception of a handler itself, before the request's entry returns: the 403 is
 * sent where it does ({@link #answer}, given the response alone), or at the request's exit when nothing was sent.
 * Who is calling: Helidon Security's authenticated subject; a person's login is a user subject that the HTTP Basic
 * or Digest provider checked against its user store.
 */
final class HelidonRequestView implements RequestView {
    private final HelidonApi requestApi;
    private final Object request;
    private final Object response;

    /**
     * @param requestApi the request's API; {@code null} for a view of the response alone
     * @param request the request; {@code null} for a view of the response alone
     * @param response the response; {@code null} when unknown
     */
    HelidonRequestView(HelidonApi requestApi, Object request, Object response) {
        this.requestApi = requestApi;
        this.request = request;
        this.response = response;
    }

    @Override
    public String method() {
        return request == null ? null : requestApi.method(request);
    }

    @Override
    public String path() {
        return request == null ? null : requestApi.path(request);
    }

    @Override
    public String clientIp() {
        return request == null ? null : RequestView.ipOf(requestApi.remoteAddress(request));
    }

    @Override
    public String header(String name) {
        return request == null ? null : requestApi.header(request, name);
    }

    @Override
    public String rawQuery() {
        return request == null ? null : requestApi.rawQuery(request);
    }

    @Override
    public Principal principal() {
        return request == null ? null : requestApi.principal(request);
    }

    @Override
    public String authType() {
        return request == null ? null : requestApi.userStoreLogin(request);
    }

    @Override
    public boolean hasVerifiedClientCertificate() {
        return request != null && requestApi.hasCertificate(request);
    }

    @Override
    public boolean respond(int status, String contentType, byte[] body) {
        HelidonApi api = response == null ? null : RequestViews.helidon(response.getClass());
        return api != null && api.response && api.send(response, status, contentType, body);
    }

    /** @return the response when the 403 was sent on it; {@code null}: Helidon's own answer stands */
    @Override
    public Object answer(int status, String contentType, byte[] body) {
        return respond(status, contentType, body) ? response : null;
    }
}
