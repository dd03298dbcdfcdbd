package dev.hostguard.agent.policy;

import java.util.List;

/**
 * Whose a resource server's bearer token is (Spring Security's {@code JwtAuthenticationToken},
 * {@code BearerTokenAuthentication}): the same kind of token stands for a person (issued at a login) or for a
 * client (a client-credentials grant), and nothing in the request tells which. By default a client's, so that an
 * unknown token is never taken for a person's login.
 *
 * @param ownerIsPerson every bearer token is a person's ({@code owner: person})
 * @param personClaims claims only a person's token carries ({@code preferred_username}, say): a token with one of
 *                     them is a person's, any other a client's
 */
public record BearerTokens(boolean ownerIsPerson, List<String> personClaims) {
    public static final BearerTokens CLIENTS = new BearerTokens(false, List.of());

    public BearerTokens {
        personClaims = List.copyOf(personClaims);
    }
}
