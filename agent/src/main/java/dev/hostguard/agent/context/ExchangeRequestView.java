package dev.hostguard.agent.context;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import java.io.OutputStream;
import javax.net.ssl.SSLPeerUnverifiedException;

/** A JDK {@code com.sun.net.httpserver} exchange. */
final class ExchangeRequestView implements RequestView {
    private final HttpExchange exchange;

    ExchangeRequestView(HttpExchange exchange) {
        this.exchange = exchange;
    }

    @Override
    public String method() {
        return exchange.getRequestMethod();
    }

    @Override
    public String path() {
        return exchange.getRequestURI().getRawPath();
    }

    @Override
    public String clientIp() {
        return RequestView.ipOf(exchange.getRemoteAddress());
    }

    @Override
    public String header(String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    @Override
    public String rawQuery() {
        return exchange.getRequestURI().getRawQuery();
    }

    @Override
    public java.security.Principal principal() {
        return exchange.getPrincipal();
    }

    /** {@code BASIC} when the context's authenticator is the JDK's, which checks a user and a password. */
    @Override
    public String authType() {
        HttpContext context = exchange.getHttpContext();
        return context != null && context.getAuthenticator() instanceof BasicAuthenticator ? "BASIC" : null;
    }

    @Override
    public boolean hasVerifiedClientCertificate() {
        if (!(exchange instanceof HttpsExchange https) || https.getSSLSession() == null) {
            return false;
        }
        try {
            return https.getSSLSession().getPeerCertificates().length > 0;
        } catch (SSLPeerUnverifiedException none) {
            return false;
        }
    }

    @Override
    public boolean respond(int status, String contentType, byte[] json) throws Exception {
        if (exchange.getResponseCode() != -1) {
            return false;
        }
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, json.length == 0 ? -1 : json.length); // 0 would mean chunked
        try (OutputStream body = exchange.getResponseBody()) {
            body.write(json);
        }
        return true;
    }
}
