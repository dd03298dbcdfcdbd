package dev.hostguard.testapps.boot3;

import java.util.List;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.authentication.AbstractAuthenticationToken;

/**
 * What {@link ServiceKeyFilter} puts in the security context for a valid service key: the client the key belongs
 * to, as the tutorials' API-key filters do. An {@code Authentication} of the application's own type, which
 * HostGuard cannot know by name: it must still tell it from a person's login.
 */
public final class ServiceKeyAuthentication extends AbstractAuthenticationToken {
    private final String client;

    public ServiceKeyAuthentication(String client) {
        super(List.of(new SimpleGrantedAuthority("ROLE_SERVICE")));
        this.client = client;
        setAuthenticated(true);
    }

    @Override
    public Object getPrincipal() {
        return client;
    }

    /** Not kept: the key was checked and is of no further use. */
    @Override
    public Object getCredentials() {
        return null;
    }
}
