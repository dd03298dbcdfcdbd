package dev.hostguard.agent.context;

/**
 * What the guard reads from the HTTP request an operation serves, whatever the server. Implementations read the
 * live request object at the moment of the operation, after the service's own authentication ran.
 */
public interface RequestView {

    String method();

    /** The path without the query string; for a message, its destination (queue or topic). */
    String path();

    /**
     * For a message a consumer handles (class {@code message} whatever it carries): its messaging system,
     * {@code jms}, {@code kafka} or {@code rabbitmq}; {@code null} for an HTTP request.
     */
    default String messagingSystem() {
        return null;
    }

    String clientIp();

    /** The IP of a client's socket address; {@code null} for none (unresolved, or not an IP socket's). */
    static String ipOf(Object address) {
        return address instanceof java.net.InetSocketAddress socket && socket.getAddress() != null
                ? socket.getAddress().getHostAddress() : null;
    }

    /** The first value of a header, names compared case-insensitively; {@code null} when absent. */
    String header(String name);

    /** The raw (still percent-encoded) query string; {@code null} when absent. */
    String rawQuery();

    /** The principal the application or the container established for this request; {@code null} when none. */
    java.security.Principal principal();

    /**
     * The authentication scheme the container reports ({@code BASIC}, {@code FORM}, {@code CLIENT_CERT}, ...);
     * {@code null} when it reports none.
     */
    String authType();

    /** Whether the container verified a client certificate for this request. */
    boolean hasVerifiedClientCertificate();

    /**
     * Replaces the response with {@code status} and a body, if nothing was committed yet.
     *
     * @return whether the response was replaced; {@code false} also where the server writes its answer later
     *     ({@link #answer})
     */
    boolean respond(int status, String contentType, byte[] body) throws Exception;

    /**
     * What kind of remote input this is, as events name it ({@code hostguard.context}): {@code request} for an HTTP
     * request; {@code grpc} for a gRPC call; {@code message} for a message a consumer handles.
     */
    default String context() {
        return "request";
    }

    /**
     * Ends input that is not answered with an HTTP response in its own way (a gRPC call: {@code PERMISSION_DENIED}),
     * naming the event; tried before {@link #respond}.
     *
     * @return whether it was ended; {@code false} also for an HTTP request
     */
    default boolean refuse(String rule, String eventId) {
        return false;
    }

    /**
     * Keeps the request's first refusal on the request itself, for a server that writes its answer later, perhaps
     * on another thread ({@link #answer}).
     */
    default void noteRefusal(Object refusal) {
    }

    /**
     * Notes a server's verdict on a login of this request checked against its user store, where the principal's
     * type alone cannot tell a person's login (see {@link #authType}).
     */
    default void noteLogin(Object verdict) {
    }

    /**
     * For a server that loads a login it kept between requests lazily ({@code pending}: the deferred result, e.g.
     * Spring Security WebFlux's security context from the {@code WebSession}): what to return instead, which notes
     * the login ({@link #noteLogin}) once loaded; {@code null}: {@code pending} stands.
     */
    default Object whenLoginLoaded(Object pending) {
        return null;
    }

    /**
     * Whether work this request hands over to other threads notes its refusals here too ({@link #noteRefusal}, from
     * that thread): for a server whose failed request is answered by the server itself, where the failure may have
     * lost its cause on the way back (Vert.x: an event-bus reply carries a failure's text only). The hand-over then
     * keeps this view, so the request object must stay valid (not recycled) while its work runs.
     */
    default boolean keepsHandedOverRefusals() {
        return false;
    }

    /** @return the refusal {@link #noteRefusal} kept; {@code null} when none or not kept */
    default Object notedRefusal() {
        return null;
    }

    /**
     * For a server that writes its answer after the handler: its own response object with {@code status} and the
     * body, to put in place of the one it was about to write; {@code null} where {@link #respond} answers.
     */
    default Object answer(int status, String contentType, byte[] body) {
        return null;
    }
}
