package dev.hostguard.testapps.quarkus;

import java.security.Principal;

/**
 * The principal of a valid service key: the client that holds it. A principal of the application's own type,
 * which HostGuard cannot know by name: it must still tell it from a person's login.
 */
public record ServiceKeyPrincipal(String client) implements Principal {
    @Override
    public String getName() {
        return client;
    }
}
