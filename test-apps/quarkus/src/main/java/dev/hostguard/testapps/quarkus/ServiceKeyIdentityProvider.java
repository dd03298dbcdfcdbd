package dev.hostguard.testapps.quarkus;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Checks a service key against env {@code SERVICE_KEY}; a valid one becomes a {@link SecurityIdentity} whose
 * principal is the {@link ServiceKeyPrincipal} of the one client that holds it, with role {@code service}.
 */
@ApplicationScoped
public class ServiceKeyIdentityProvider implements IdentityProvider<ServiceKeyAuthenticationRequest> {
    /** The one client that holds the key. */
    static final String CLIENT = "billing-client";

    @ConfigProperty(name = "SERVICE_KEY")
    String serviceKey;

    @Override
    public Class<ServiceKeyAuthenticationRequest> getRequestType() {
        return ServiceKeyAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(ServiceKeyAuthenticationRequest request, AuthenticationRequestContext context) {
        // isEqual's time depends on the lengths only, not on how much of the key matched
        if (!MessageDigest.isEqual(request.key().getBytes(StandardCharsets.UTF_8),
                serviceKey.getBytes(StandardCharsets.UTF_8))) {
            return Uni.createFrom().failure(new AuthenticationFailedException("wrong service key"));
        }
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
                .setPrincipal(new ServiceKeyPrincipal(CLIENT))
                .addRole("service")
                .build());
    }
}
