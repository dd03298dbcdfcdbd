package dev.hostguard.agent.context;

import java.security.Principal;

/**
 * A request with nothing to read: no method, header, query, login, client certificate or response to answer on. A
 * message a consumer handles and a request entered by hand are such requests; what each does have, it overrides.
 */
interface OpaqueRequestView extends RequestView {
    @Override
    default String method() {
        return null;
    }

    @Override
    default String path() {
        return null;
    }

    @Override
    default String clientIp() {
        return null;
    }

    @Override
    default String header(String name) {
        return null;
    }

    @Override
    default String rawQuery() {
        return null;
    }

    @Override
    default Principal principal() {
        return null;
    }

    @Override
    default String authType() {
        return null;
    }

    @Override
    default boolean hasVerifiedClientCertificate() {
        return false;
    }

    /** Nothing to answer on: a refusal fails the operation, which is all its caller sees. */
    @Override
    default boolean respond(int status, String contentType, byte[] body) {
        return false;
    }
}
