package dev.hostguard.testapps.webflux;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * The service key's token, an {@code Authentication} of the application's own type that HostGuard cannot know by
 * name: {@link #presented} is what {@link ServiceKeyConverter} reads from the request (not authenticated, the key as
 * credentials), {@link #client} what {@link ServiceKeyAuthenticationManager} puts in the security context for a
 * valid key (the client the key belongs to, authenticated, the key no longer kept).
 */
public final class ServiceKeyAuthentication extends AbstractAuthenticationToken {
    private final String client;
    private final String key;

    private ServiceKeyAuthentication(String client, String key, boolean authenticated) {
        super(authenticated ? List.of(new SimpleGrantedAuthority("ROLE_SERVICE")) : AuthorityUtils.NO_AUTHORITIES);
        this.client = client;
        this.key = key;
        setAuthenticated(authenticated);
    }

    /** The key as the request presented it, still to be checked. */
    static ServiceKeyAuthentication presented(String key) {
        return new ServiceKeyAuthentication(null, key, false);
    }

    /** The client a valid key belongs to. */
    static ServiceKeyAuthentication client(String client) {
        return new ServiceKeyAuthentication(client, null, true);
    }

    @Override
    public Object getPrincipal() {
        return client;
    }

    /** The presented key before the check; null after it. */
    @Override
    public Object getCredentials() {
        return key;
    }

    @Override
    public void eraseCredentials() {
        // nothing to erase on the authenticated token; the presented one is dropped after the check
    }
}
