package dev.hostguard.testapps.helidon;

import io.helidon.security.AuthenticationResponse;
import io.helidon.security.ProviderRequest;
import io.helidon.security.Subject;
import io.helidon.security.spi.AuthenticationProvider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * The service-key login of a Helidon service: an {@link AuthenticationProvider} of the app's own. A valid
 * {@value #HEADER} header authenticates the one client that holds the key, as a subject whose principal is a
 * {@link ServiceKeyPrincipal}; a wrong one fails; without one the provider abstains, and the route, which requires
 * authentication, answers 401. The header is deliberately none of HostGuard's default key headers: the agent must
 * recognise the request by what Helidon's security context established, not by the header.
 */
final class ServiceKeyProvider implements AuthenticationProvider {
    static final String HEADER = "X-Service-Key";
    /** The one client that holds the key. */
    static final String CLIENT = "billing-client";

    private final byte[] key;

    ServiceKeyProvider(String key) {
        this.key = key.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public AuthenticationResponse authenticate(ProviderRequest request) {
        List<String> presented = request.env().headers().get(HEADER);
        if (presented == null || presented.isEmpty()) {
            return AuthenticationResponse.abstain();
        }
        // isEqual's time depends on the lengths only, not on how much of the key matched
        if (!MessageDigest.isEqual(presented.get(0).getBytes(StandardCharsets.UTF_8), key)) {
            return AuthenticationResponse.failed("wrong " + HEADER);
        }
        return AuthenticationResponse.success(Subject.create(new ServiceKeyPrincipal(CLIENT)));
    }
}
