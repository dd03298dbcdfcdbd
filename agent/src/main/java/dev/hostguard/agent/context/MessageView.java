package dev.hostguard.agent.context;

import java.security.Principal;

/**
 * A message a consumer handles, as a request to the guard: its destination is the route, as {@code /<destination>}
 * (the form a policy's {@code route} takes, as gRPC's {@code /<service>/<method>}); no header, login or client to
 * read (whoever could send to the destination chose the message's properties), so it is always classed
 * {@code message}.
 *
 * @param system {@code jms}, {@code kafka}, {@code rabbitmq}
 * @param destination the queue or topic; {@code null} when the message names none
 */
public record MessageView(String system, String destination) implements RequestView {
    @Override
    public String messagingSystem() {
        return system;
    }

    @Override
    public String context() {
        return "message";
    }

    @Override
    public String method() {
        return null;
    }

    @Override
    public String path() {
        return destination == null ? null : "/" + destination;
    }

    @Override
    public String clientIp() {
        return null;
    }

    @Override
    public String header(String name) {
        return null;
    }

    @Override
    public String rawQuery() {
        return null;
    }

    @Override
    public Principal principal() {
        return null;
    }

    @Override
    public String authType() {
        return null;
    }

    @Override
    public boolean hasVerifiedClientCertificate() {
        return false;
    }

    /** No response: the refusal fails the listener, which is the consumer's answer (a redelivery, a dead letter). */
    @Override
    public boolean respond(int status, String contentType, byte[] body) {
        return false;
    }
}
