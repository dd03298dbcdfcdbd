package dev.hostguard.testapps.grpc;

import java.security.Principal;

/** The principal {@link CallerInterceptor} stores for a caller that presented the service key. */
public record ServiceKeyPrincipal(String getName) implements Principal {
}
