package dev.hostguard.agent.context;

/** A server's request API, resolved once per request class: it makes the view of one request. */
interface ServerApi {
    /** The view of {@code request}; {@code response} is what the server's entry passed beside it (or the same). */
    RequestView view(Object request, Object response);
}
