package dev.hostguard.testapps.helidon;

import io.helidon.security.Principal;
import java.util.Collection;
import java.util.List;

/** The principal of a client authenticated with the service key ({@link ServiceKeyProvider}): the client's name. */
record ServiceKeyPrincipal(String name) implements Principal {
    @Override
    public String id() {
        return name;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public Object abacAttributeRaw(String attribute) {
        return switch (attribute) {
            case "name", "id" -> name;
            default -> null;
        };
    }

    @Override
    public Collection<String> abacAttributeNames() {
        return List.of("name", "id");
    }
}
