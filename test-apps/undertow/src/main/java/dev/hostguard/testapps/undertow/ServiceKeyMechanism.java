package dev.hostguard.testapps.undertow;

import io.undertow.security.api.AuthenticationMechanism;
import io.undertow.security.api.SecurityContext;
import io.undertow.security.idm.Account;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.StatusCodes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Principal;
import java.util.Set;

/**
 * The service-key login of an Undertow service: an {@link AuthenticationMechanism} of the app's own, named
 * {@value #NAME}. A valid {@value #HEADER} header logs the one client that holds the key in
 * ({@code securityContext.authenticationComplete} with an account whose principal is a {@link ServiceKeyPrincipal});
 * a wrong one fails; without one the mechanism does not attempt, and the required authentication is answered 401.
 * The header is deliberately none of HostGuard's default key headers: the agent must recognise the request by what
 * Undertow's security context established, not by the header.
 */
final class ServiceKeyMechanism implements AuthenticationMechanism {
    static final String NAME = "SERVICE_KEY";
    static final String HEADER = "X-Service-Key";
    /** The one client that holds the key. */
    static final String CLIENT = "billing-client";

    private final byte[] key;

    ServiceKeyMechanism(String key) {
        this.key = key.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public AuthenticationMechanismOutcome authenticate(HttpServerExchange exchange, SecurityContext securityContext) {
        String presented = exchange.getRequestHeaders().getFirst(HEADER);
        if (presented == null) {
            return AuthenticationMechanismOutcome.NOT_ATTEMPTED;
        }
        // isEqual's time depends on the lengths only, not on how much of the key matched
        if (!MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), key)) {
            securityContext.authenticationFailed("wrong " + HEADER, NAME);
            return AuthenticationMechanismOutcome.NOT_AUTHENTICATED;
        }
        securityContext.authenticationComplete(new ServiceKeyAccount(new ServiceKeyPrincipal(CLIENT)), NAME, false);
        return AuthenticationMechanismOutcome.AUTHENTICATED;
    }

    @Override
    public ChallengeResult sendChallenge(HttpServerExchange exchange, SecurityContext securityContext) {
        return new ChallengeResult(true, StatusCodes.UNAUTHORIZED);
    }

    /** The logged-in client. */
    private record ServiceKeyAccount(ServiceKeyPrincipal principal) implements Account {
        @Override
        public Principal getPrincipal() {
            return principal;
        }

        @Override
        public Set<String> getRoles() {
            return Set.of("service");
        }
    }
}
