package dev.hostguard.testapps.helidon;

import io.helidon.security.providers.httpauth.SecureUserStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;

/** The user store of Helidon's HTTP Basic provider: one person, {@code OPS_USER}/{@code OPS_PASSWORD}. */
final class OneUserStore implements SecureUserStore {
    private final String login;
    private final byte[] password;

    OneUserStore(String login, String password) {
        this.login = login;
        this.password = password.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Optional<User> user(String name) {
        if (!login.equals(name)) {
            return Optional.empty();
        }
        return Optional.of(new User() {
            @Override
            public String login() {
                return login;
            }

            @Override
            public boolean isPasswordValid(char[] presented) {
                // isEqual's time depends on the lengths only, not on how much of the password matched
                return MessageDigest.isEqual(new String(presented).getBytes(StandardCharsets.UTF_8), password);
            }

            @Override
            public Set<String> roles() {
                return Set.of("ops");
            }
        });
    }
}
