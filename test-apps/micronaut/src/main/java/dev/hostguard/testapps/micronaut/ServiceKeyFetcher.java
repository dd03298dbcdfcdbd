package dev.hostguard.testapps.micronaut;

import io.micronaut.context.annotation.Value;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.filters.AuthenticationFetcher;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * The API-key mechanism of micronaut-security's guides: an {@link AuthenticationFetcher} that turns a valid
 * {@value #HEADER} header into a {@link ServiceKeyAuthentication}, which {@code SecurityFilter} stores in the request
 * (attribute {@code micronaut.AUTHENTICATION}) before the routes' {@code @Secured} rules are checked. A missing or
 * wrong key establishes nothing (the rules then answer 401). The header is deliberately none of HostGuard's default
 * key headers: the agent must recognise the request by what micronaut-security established, not by the header.
 */
@Singleton
final class ServiceKeyFetcher implements AuthenticationFetcher<HttpRequest<?>> {
    static final String HEADER = "X-Service-Key";
    /** The one client that holds the key. */
    static final String CLIENT = "billing-client";

    private final byte[] key;

    ServiceKeyFetcher(@Value("${service.key}") String key) {
        this.key = key.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Publisher<Authentication> fetchAuthentication(HttpRequest<?> request) {
        String presented = request.getHeaders().get(HEADER);
        // isEqual's time depends on the lengths only, not on how much of the key matched
        if (presented == null || !MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), key)) {
            return Mono.empty();
        }
        return Mono.just(new ServiceKeyAuthentication(CLIENT));
    }
}
