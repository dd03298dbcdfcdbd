package dev.hostguard.agent.context;

/**
 * A message a consumer handles, as a request to the guard: its destination is the route, as {@code /<destination>}
 * (the form a policy's {@code route} takes, as gRPC's {@code /<service>/<method>}); no header, login or client to
 * read (whoever could send to the destination chose the message's properties), so it is always classed
 * {@code message}.
 *
 * @param system {@code jms}, {@code kafka}, {@code rabbitmq}
 * @param destination the queue or topic; {@code null} when the message names none
 */
public record MessageView(String system, String destination) implements OpaqueRequestView {
    @Override
    public String messagingSystem() {
        return system;
    }

    @Override
    public String context() {
        return "message";
    }

    @Override
    public String path() {
        return destination == null ? null : "/" + destination;
    }
}
