package dev.hostguard.testapps.quarkus;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * The API-key mechanism of the Quarkus security guide's "custom HttpAuthenticationMechanism": header
 * {@value #HEADER}, which is none of HostGuard's default key headers, handed to {@link ServiceKeyIdentityProvider} as
 * a {@link ServiceKeyAuthenticationRequest}. Its authentication scheme {@value #SCHEME} is what
 * {@code quarkus.http.auth.permission.key.auth-mechanism} selects for {@code /key/*}; without the header it
 * authenticates nobody (the path's policy then answers 401).
 */
@ApplicationScoped
public class ServiceKeyMechanism implements HttpAuthenticationMechanism {
    static final String HEADER = "X-Service-Key";
    static final String SCHEME = "service-key";

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        String key = context.request().getHeader(HEADER);
        if (key == null) {
            return Uni.createFrom().optional(java.util.Optional.empty());
        }
        return identityProviderManager.authenticate(
                HttpSecurityUtils.setRoutingContextAttribute(new ServiceKeyAuthenticationRequest(key), context));
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, null, null));
    }

    @Override
    public Set<Class<? extends io.quarkus.security.identity.request.AuthenticationRequest>> getCredentialTypes() {
        return Set.of(ServiceKeyAuthenticationRequest.class);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.OTHER_HEADER, HEADER, SCHEME));
    }
}
