package dev.hostguard.testapps.undertow;

import java.io.Serializable;
import java.security.Principal;

/** The principal of a client logged in with the service key ({@link ServiceKeyMechanism}): the client's name. */
record ServiceKeyPrincipal(String name) implements Principal, Serializable {
    @Override
    public String getName() {
        return name;
    }
}
