package dev.hostguard.agent.policy;

/** How the request an operation serves was authenticated, as decided when the operation happens. */
public enum AuthClass {
    /** The request carries an API-key credential and no stronger identity. */
    API_KEY("api-key"),
    /** No credentials at all. */
    NONE("none"),
    /** The application or the container established a principal (a person logged in). */
    USER("user"),
    /** The container verified a client certificate. */
    MTLS("mtls"),
    /**
     * A message a consumer handles (a JMS listener's {@code onMessage}, a Kafka record, a RabbitMQ delivery): no caller HostGuard can
     * identify, so never a user's; logged by default, so an audit run shows what message handlers do.
     */
    MESSAGE("message");

    private final String label;

    AuthClass(String label) {
        this.label = label;
    }

    /** The name used in options, policies and events. */
    public String label() {
        return label;
    }
}
