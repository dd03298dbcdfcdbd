package dev.hostguard.agent.context;

import java.security.Principal;
import java.security.cert.Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * A grpc-java server call as a request: {@code POST /<full method name>}, its metadata as headers (API keys in
 * {@code x-api-key}, {@code authorization} and the policy's credential names alike), the peer's TLS session for a
 * verified client certificate ({@code mtls}), a principal an interceptor stored in the gRPC {@code Context},
 * classified as a servlet's. A refusal ends the call with {@code PERMISSION_DENIED}, the event id in
 * its description ({@link #refuse}); there is no HTTP response to write.
 */
final class GrpcRequestView implements RequestView {
    private final GrpcApi api;
    private final Object call;
    private final Object headers;

    /** @param headers the call's {@code Metadata}; {@code null} when unknown (then it presents no key) */
    GrpcRequestView(GrpcApi api, Object call, Object headers) {
        this.api = api;
        this.call = call;
        this.headers = headers;
    }

    @Override
    public String method() {
        return "POST"; // every gRPC call is an HTTP/2 POST
    }

    @Override
    public String path() {
        return api.path(call);
    }

    @Override
    public String clientIp() {
        return RequestView.ipOf(api.attribute(call, false));
    }

    @Override
    public String header(String name) {
        return api.header(headers, name);
    }

    @Override
    public String rawQuery() {
        return null;
    }

    /** A principal an interceptor stored in the gRPC {@code Context} (Spring Security's {@code Authentication} is one). */
    @Override
    public Principal principal() {
        return api.contextPrincipal();
    }

    @Override
    public String authType() {
        return null;
    }

    @Override
    public boolean hasVerifiedClientCertificate() {
        if (!(api.attribute(call, true) instanceof SSLSession session)) {
            return false;
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain != null && chain.length > 0;
        } catch (SSLPeerUnverifiedException none) {
            return false;
        }
    }

    @Override
    public boolean respond(int status, String contentType, byte[] body) {
        return false; // a call has no HTTP response of its own: refuse() ends it
    }

    @Override
    public String context() {
        return "grpc";
    }

    @Override
    public boolean refuse(String rule, String eventId) {
        return api.deny(call, "blocked by HostGuard: rule " + rule + ", event_id " + eventId);
    }
}
