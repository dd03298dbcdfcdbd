package dev.hostguard.testapps.undertow;

import io.undertow.security.idm.Account;
import io.undertow.security.idm.Credential;
import io.undertow.security.idm.IdentityManager;
import io.undertow.security.idm.PasswordCredential;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Principal;
import java.util.Set;

/**
 * A user store of one person ({@code OPS_USER}/{@code OPS_PASSWORD}), the {@link IdentityManager} Undertow's
 * {@code BasicAuthenticationMechanism} verifies a login against: a password credential for the right user name gives
 * an account whose principal is a {@link UserPrincipal}.
 */
final class InMemoryIdentityManager implements IdentityManager {
    private final String user;
    private final byte[] password;

    InMemoryIdentityManager(String user, String password) {
        this.user = user;
        this.password = password.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Account verify(Account account) {
        return account;  // nothing expires: the account stays valid
    }

    @Override
    public Account verify(String id, Credential credential) {
        if (!user.equals(id) || !(credential instanceof PasswordCredential presented)) {
            return null;
        }
        byte[] presentedBytes = new String(presented.getPassword()).getBytes(StandardCharsets.UTF_8);
        // isEqual's time depends on the lengths only, not on how much of the password matched
        return MessageDigest.isEqual(presentedBytes, password) ? new UserAccount(new UserPrincipal(id)) : null;
    }

    @Override
    public Account verify(Credential credential) {
        return null;  // no login without a user name
    }

    /** A person of the user store. */
    record UserPrincipal(String name) implements Principal, java.io.Serializable {
        @Override
        public String getName() {
            return name;
        }
    }

    private record UserAccount(UserPrincipal principal) implements Account {
        @Override
        public Principal getPrincipal() {
            return principal;
        }

        @Override
        public Set<String> getRoles() {
            return Set.of("ops");
        }
    }
}
