package dev.hostguard.testapps.quarkus;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** The {@code X-Service-Key} header as {@link ServiceKeyMechanism} hands it to {@link ServiceKeyIdentityProvider}. */
public final class ServiceKeyAuthenticationRequest extends BaseAuthenticationRequest {
    private final String key;

    public ServiceKeyAuthenticationRequest(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }
}
