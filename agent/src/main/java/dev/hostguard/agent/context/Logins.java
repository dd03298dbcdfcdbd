package dev.hostguard.agent.context;

import dev.hostguard.agent.policy.BearerTokens;
import java.lang.reflect.Method;
import java.security.Principal;
import java.util.Locale;
import java.util.Map;

/**
 * Whose login the principal of a request stands for, told from what the application or the container established
 * (the principal's type, what it holds, the servlet authentication scheme), never from headers the client chose.
 * A person's login is one a person performs against a user store: a container's BASIC, FORM or DIGEST login,
 * Spring Security's login of a {@code UserDetails}, remember-me, an OAuth2 or OIDC login. Anything else a service
 * may put in as its principal (its own token for an API key, a pre-authenticated header, a bearer token a client
 * obtained by itself) is not a person's, unless the policy says so: a guard must never take an unknown principal
 * for a person, whose operations it lets through without an event.
 *
 * <p>Spring Security's types are read by name and reflection, never linked: they live in the service's class
 * loader. Its request wrapper reports the {@code Authentication} as the principal, an anonymous one as none.
 */
final class Logins {
    /**
     * The scheme a request view reports for a login the server checked against its user store where the server's
     * principal type does not tell (Micronaut's {@code Authentication} is the same for a key, a token and a password).
     */
    static final String USER_STORE = "USER_STORE";
    private static final String SPRING = "org.springframework.security.";
    private static final String AUTHENTICATION = SPRING + "core.Authentication";
    private static final String USER_DETAILS = SPRING + "core.userdetails.UserDetails";
    private static final String USERNAME_PASSWORD = SPRING + "authentication.UsernamePasswordAuthenticationToken";
    private static final String REMEMBER_ME = SPRING + "authentication.RememberMeAuthenticationToken";
    private static final String ANONYMOUS = SPRING + "authentication.AnonymousAuthenticationToken";
    private static final String OAUTH2_LOGIN = SPRING + "oauth2.client.authentication.OAuth2AuthenticationToken";
    private static final String JWT = SPRING + "oauth2.server.resource.authentication.JwtAuthenticationToken";
    private static final String BEARER = SPRING + "oauth2.server.resource.authentication.BearerTokenAuthentication";
    private static final String PRE_AUTHENTICATED =
            SPRING + "web.authentication.preauth.PreAuthenticatedAuthenticationToken";

    /** The Spring Security types a principal class is, most specific first; {@code null}: not Spring's. */
    private static final ClassValue<SpringType> SPRING_TYPES = new ClassValue<>() {
        @Override
        protected SpringType computeValue(Class<?> type) {
            if (Types.findSuperType(type, AUTHENTICATION) == null) {
                return null;
            }
            for (String known : new String[] {USERNAME_PASSWORD, REMEMBER_ME, ANONYMOUS, OAUTH2_LOGIN, JWT, BEARER,
                    PRE_AUTHENTICATED}) {
                Class<?> found = Types.findSuperType(type, known);
                if (found != null) {
                    return new SpringType(known, found);
                }
            }
            return new SpringType(AUTHENTICATION, Types.findSuperType(type, AUTHENTICATION));
        }
    };

    /** A Spring Security token type: which of the known ones, and that class (for its methods). */
    private record SpringType(String name, Class<?> type) {
        String simpleName() {
            return name.substring(name.lastIndexOf('.') + 1);
        }
    }

    /**
     * Whose login a principal stands for.
     *
     * @param person a person's login
     * @param session a login the client keeps in a session (a form, remember-me, OAuth2 login), which a key
     *                header beside it does not outrank; a per-request login (BASIC) does not outrank a key
     * @param anonymous no login at all (Spring Security's anonymous authentication)
     * @param bearerToken the principal is the bearer token of the {@code Authorization} header
     * @param reason what decided, for the event
     */
    record Login(boolean person, boolean session, boolean anonymous, boolean bearerToken, String reason) {
    }

    /** {@code null} when the policy names none. */
    private final PrincipalMatcher personPrincipals;
    private final BearerTokens bearerTokens;

    Logins(PrincipalMatcher personPrincipals, BearerTokens bearerTokens) {
        this.personPrincipals = personPrincipals;
        this.bearerTokens = bearerTokens;
    }

    /** @param authType the servlet authentication scheme the container reports; may be null */
    Login of(Principal principal, String authType) {
        if (personPrincipals != null && personPrincipals.matches(principal)) {
            return new Login(true, false, false, false, "principal " + principal.getClass().getName()
                    + " named in credentials.person-principals");
        }
        SpringType spring = SPRING_TYPES.get(principal.getClass());
        if (spring != null) {
            return spring(principal, spring);
        }
        String scheme = authType == null ? "" : authType.toUpperCase(Locale.ROOT);
        switch (scheme) {
            case "BASIC":
            case "DIGEST":
                return new Login(true, false, false, false, "the server's " + scheme + " login");
            case "FORM":
                return new Login(true, true, false, false, "the server's FORM login");
            case USER_STORE:
                return new Login(true, false, false, false, "a login the server checked against its user store ("
                        + principal.getClass().getName() + ")");
            default:
                return new Login(false, false, false, false, "principal " + principal.getClass().getName()
                        + (authType == null ? "" : " (" + authType + ")")
                        + " is no login HostGuard attributes to a person (credentials.person-principals if it is)");
        }
    }

    private Login spring(Principal principal, SpringType spring) {
        String token = "Spring Security " + spring.simpleName();
        switch (spring.name()) {
            case USERNAME_PASSWORD:
                Object user = call(spring.type(), "getPrincipal", principal);
                return user != null && Types.findSuperType(user.getClass(), USER_DETAILS) != null
                        ? new Login(true, false, false, false, token + " of a UserDetails (a user store's login)")
                        : new Login(false, false, false, false, token + " without a UserDetails: made by the"
                                + " application's own code, not a user store's login");
            case REMEMBER_ME:
                return new Login(true, true, false, false, token + " (a person's remembered login)");
            case OAUTH2_LOGIN:
                return new Login(true, true, false, false, token + " (an OAuth2 or OIDC login)");
            case ANONYMOUS:
                return new Login(false, false, true, false, token);
            case JWT:
            case BEARER:
                return bearer(principal, spring, token);
            case PRE_AUTHENTICATED:
                return new Login(false, false, false, false, token + ": set by a filter from a header or a"
                        + " certificate, no login HostGuard attributes to a person");
            default:
                return new Login(false, false, false, false, "Spring Security token "
                        + principal.getClass().getName() + ": no login HostGuard attributes to a person"
                        + " (credentials.person-principals if it is)");
        }
    }

    /** A resource server's bearer token: a client's unless the policy says whose ({@link BearerTokens}). */
    private Login bearer(Principal principal, SpringType spring, String token) {
        if (bearerTokens.ownerIsPerson()) {
            return new Login(true, false, false, true, token + ", a person's by credentials.bearer-tokens.owner");
        }
        if (!bearerTokens.personClaims().isEmpty()
                && call(spring.type(), "getTokenAttributes", principal) instanceof Map<?, ?> claims) {
            for (String claim : bearerTokens.personClaims()) {
                if (claims.get(claim) != null) {
                    return new Login(true, false, false, true, token + " with claim " + claim
                            + ", a person's by credentials.bearer-tokens.person-claims");
                }
            }
        }
        return new Login(false, false, false, true, token + ": a bearer token, a client's unless"
                + " credentials.bearer-tokens says otherwise");
    }

    /** A public no-argument method of a Spring type, called on {@code target}; {@code null} when it fails. */
    private static Object call(Class<?> type, String method, Object target) {
        try {
            Method m = type.getMethod(method);
            return m.invoke(target);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
