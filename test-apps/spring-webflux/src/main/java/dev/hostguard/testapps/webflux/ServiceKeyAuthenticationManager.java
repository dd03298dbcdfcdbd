package dev.hostguard.testapps.webflux;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.core.Authentication;
import reactor.core.publisher.Mono;

/**
 * Checks a presented service key against env {@code SERVICE_KEY}: the right key becomes
 * {@link ServiceKeyAuthentication#client} for {@value #CLIENT}, the one client that holds it; a wrong one fails
 * (answered 401). Synchronous, as key checks are: the filter chain goes on on the thread that called it.
 */
final class ServiceKeyAuthenticationManager implements ReactiveAuthenticationManager {
    /** The one client that holds the key. */
    static final String CLIENT = "billing-client";

    private final byte[] key;

    ServiceKeyAuthenticationManager(String key) {
        this.key = key.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Mono<Authentication> authenticate(Authentication authentication) {
        Object presented = authentication.getCredentials();
        // isEqual's time depends on the lengths only, not on how much of the key matched
        if (!(presented instanceof String candidate)
                || !MessageDigest.isEqual(candidate.getBytes(StandardCharsets.UTF_8), key)) {
            return Mono.error(new BadCredentialsException("wrong " + ServiceKeyConverter.HEADER));
        }
        return Mono.just(ServiceKeyAuthentication.client(CLIENT));
    }
}
