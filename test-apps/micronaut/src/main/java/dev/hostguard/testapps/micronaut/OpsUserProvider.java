package dev.hostguard.testapps.micronaut;

import io.micronaut.context.annotation.Value;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.authentication.AuthenticationFailureReason;
import io.micronaut.security.authentication.AuthenticationRequest;
import io.micronaut.security.authentication.AuthenticationResponse;
import io.micronaut.security.authentication.provider.HttpRequestAuthenticationProvider;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * The in-memory user store of micronaut-security's guides: one user ({@code OPS_USER}/{@code OPS_PASSWORD}, role
 * {@value #ROLE}) that micronaut-security's {@code BasicAuthAuthenticationFetcher} checks an {@code Authorization:
 * Basic} header against. A success becomes the framework's own {@code ServerAuthentication}. Not {@code @Blocking}: it
 * runs on the thread of the security filter (the event loop).
 */
@Singleton
final class OpsUserProvider<B> implements HttpRequestAuthenticationProvider<B> {
    static final String ROLE = "ROLE_OPS";

    private final String user;
    private final byte[] password;

    OpsUserProvider(@Value("${ops.user}") String user, @Value("${ops.password}") String password) {
        this.user = user;
        this.password = password.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public AuthenticationResponse authenticate(HttpRequest<B> request, AuthenticationRequest<String, String> login) {
        boolean known = user.equals(login.getIdentity());
        byte[] presented = String.valueOf(login.getSecret()).getBytes(StandardCharsets.UTF_8);
        boolean matches = MessageDigest.isEqual(password, presented);
        if (known && matches) {
            return AuthenticationResponse.success(user, List.of(ROLE));
        }
        return AuthenticationResponse.failure(known ? AuthenticationFailureReason.CREDENTIALS_DO_NOT_MATCH
                : AuthenticationFailureReason.USER_NOT_FOUND);
    }
}
