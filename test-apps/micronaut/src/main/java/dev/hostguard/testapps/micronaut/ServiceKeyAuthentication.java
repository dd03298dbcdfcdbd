package dev.hostguard.testapps.micronaut;

import io.micronaut.security.authentication.Authentication;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What {@link ServiceKeyFetcher} establishes for a valid service key: the client the key belongs to, with the role
 * the {@code /key} routes require. An {@code Authentication} of the application's own type, which HostGuard cannot
 * know by name: it must still tell it from a person's login.
 */
public final class ServiceKeyAuthentication implements Authentication {
    /** The role of a client that holds the service key. */
    public static final String ROLE = "ROLE_SERVICE";

    private final String client;

    public ServiceKeyAuthentication(String client) {
        this.client = client;
    }

    @Override
    public String getName() {
        return client;
    }

    @Override
    public Map<String, Object> getAttributes() {
        return Map.of();
    }

    @Override
    public Collection<String> getRoles() {
        return List.of(ROLE);
    }

    @Override
    public String toString() {
        return "ServiceKeyAuthentication[" + client + "]";
    }
}
