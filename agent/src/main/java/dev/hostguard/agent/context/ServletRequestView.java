package dev.hostguard.agent.context;

import java.io.OutputStream;
import java.lang.reflect.Array;

/** A Jakarta or javax servlet request (and its response), read through reflection. */
final class ServletRequestView implements RequestView {
    private final ServletApi api;
    private final Object request;
    private final Object response;

    ServletRequestView(ServletApi api, Object request, Object response) {
        this.api = api;
        this.request = request;
        this.response = response;
    }

    @Override
    public String method() {
        return api.method(request);
    }

    /** The path the client asked for: in a forward or error dispatch the request reports its target's. */
    @Override
    public String path() {
        for (String attribute : api.originalUriAttributes) {
            if (api.attribute(request, attribute) instanceof String original) {
                return original;
            }
        }
        return api.requestUri(request);
    }

    @Override
    public String clientIp() {
        return api.remoteAddr(request);
    }

    @Override
    public String header(String name) {
        return api.header(request, name);
    }

    @Override
    public String rawQuery() {
        return api.queryString(request);
    }

    @Override
    public java.security.Principal principal() {
        return api.userPrincipal(request) instanceof java.security.Principal p ? p : null;
    }

    @Override
    public String authType() {
        return api.authType(request);
    }

    @Override
    public boolean hasVerifiedClientCertificate() {
        Object certificates = api.attribute(request, api.certificateAttribute);
        return certificates != null && certificates.getClass().isArray() && Array.getLength(certificates) > 0;
    }

    @Override
    public boolean respond(int status, String contentType, byte[] json) throws Exception {
        ServletApi.ResponseMethods http = response == null ? null : api.responseMethods(response);
        if (http == null || (Boolean) Types.call(http.isCommitted, response)) {
            return false;
        }
        Types.call(http.reset, response);
        Types.call(http.setStatus, response, status);
        Types.call(http.setContentType, response, contentType);
        Types.call(http.setContentLength, response, json.length);
        // Closed, not just flushed: whatever the application writes afterwards must not trail our answer.
        try (OutputStream body = (OutputStream) Types.call(http.getOutputStream, response)) {
            body.write(json);
        }
        return true;
    }
}
