package dev.hostguard.it;

/** What a request presents, and the {@code hostguard.auth} class the agent must give it. */
public enum Credentials {
    /** Nothing, on the route that has no authentication. */
    NONE("none", true),
    /** The service's API key in {@code X-API-Key}, on the API-key route. */
    API_KEY("api-key", true),
    /** A BASIC login the server verified, on the login route. */
    USER_LOGIN("user", false);

    private final String authClass;
    private final boolean guarded;

    Credentials(String authClass, boolean guarded) {
        this.authClass = authClass;
        this.guarded = guarded;
    }

    /** The value of {@code hostguard.auth}. */
    public String authClass() {
        return authClass;
    }

    /** Whether the agent logs (audit) or blocks (block) process starts in such a request. */
    public boolean guarded() {
        return guarded;
    }
}
