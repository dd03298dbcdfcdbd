package dev.hostguard.testapps.vertx;

import io.vertx.core.Future;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.authentication.TokenCredentials;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The {@link AuthenticationProvider} behind the app's {@code APIKeyHandler}: the handler hands it the
 * {@code X-Service-Key} header as {@link TokenCredentials}; a valid key becomes the {@link User} of the one client
 * that holds it. Made with {@link User#fromName}, as the Vert.x examples make users: its principal is
 * {@code {"username": "billing-client"}}, the same shape a password login's user has, so HostGuard cannot tell the
 * two apart by the user's JSON alone; only by how it was established (the handler, the credentials).
 */
final class ServiceKeyAuthentication implements AuthenticationProvider {
    /** The one client that holds the key. */
    static final String CLIENT = "billing-client";

    private final byte[] key;

    ServiceKeyAuthentication(String key) {
        this.key = key.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Future<User> authenticate(Credentials credentials) {
        if (!(credentials instanceof TokenCredentials token) || token.getToken() == null) {
            return Future.failedFuture("a service key is expected");
        }
        // isEqual's time depends on the lengths only, not on how much of the key matched
        if (!MessageDigest.isEqual(token.getToken().getBytes(StandardCharsets.UTF_8), key)) {
            return Future.failedFuture("wrong service key");
        }
        return Future.succeededFuture(User.fromName(CLIENT));
    }
}
