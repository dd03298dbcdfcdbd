package dev.hostguard.agent.context;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** A request view with whatever the test sets; header names compare case-insensitively, as servers do. */
public final class FakeRequest implements RequestView {
    private final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    String query;
    java.security.Principal principal;
    String authType;
    boolean clientCertificate;

    public FakeRequest header(String name, String value) {
        headers.put(name.toLowerCase(Locale.ROOT), value);
        return this;
    }

    FakeRequest query(String rawQuery) {
        this.query = rawQuery;
        return this;
    }

    /** A container's login of {@code alice} by {@code authType}. */
    FakeRequest principal(String authType) {
        return principal(() -> "alice", authType);
    }

    FakeRequest principal(java.security.Principal principal, String authType) {
        this.principal = principal;
        this.authType = authType;
        return this;
    }

    @Override
    public java.security.Principal principal() {
        return principal;
    }

    FakeRequest clientCertificate() {
        this.clientCertificate = true;
        return this;
    }

    @Override
    public String method() {
        return "GET";
    }

    @Override
    public String path() {
        return "/admin";
    }

    @Override
    public String clientIp() {
        return "127.0.0.1";
    }

    @Override
    public String header(String name) {
        return headers.get(name);
    }

    @Override
    public String rawQuery() {
        return query;
    }

    @Override
    public String authType() {
        return authType;
    }

    @Override
    public boolean hasVerifiedClientCertificate() {
        return clientCertificate;
    }

    @Override
    public boolean respond(int status, String contentType, byte[] json) {
        return false;
    }
}
