package dev.hostguard.agent.context;

import dev.hostguard.agent.bootstrap.Hooks;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A login Spring Security WebFlux kept in the {@code WebSession} (a form login's, an OAuth2 login's), as
 * {@code WebSessionServerSecurityContextRepository.load} reads it back for a later request of the same session: the
 * {@code Mono} it returns is lazy and emits the {@code SecurityContext} on whatever thread the session store answers,
 * so this is run as that {@code Mono}'s {@code doOnNext} ({@link WebFluxApi#onEachValue}) and notes the context's
 * {@code Authentication} on the exchange ({@link Hooks#loginChecked}), where an authentication filter's is noted. The
 * server itself put that context in the session at the login: what the client sends is only the session's id.
 */
final class WebFluxSessionLogin implements Consumer<Object> {
    private static final String SECURITY_CONTEXT = "org.springframework.security.core.context.SecurityContext";
    /** {@code SecurityContext.getAuthentication()} of a class; empty when the class is no {@code SecurityContext}. */
    private static final ClassValue<Optional<Method>> GET_AUTHENTICATION = new ClassValue<>() {
        @Override
        protected Optional<Method> computeValue(Class<?> type) {
            Class<?> context = Types.findSuperType(type, SECURITY_CONTEXT);
            if (context == null) {
                return Optional.empty();
            }
            try {
                return Optional.of(context.getMethod("getAuthentication"));
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("unexpected Spring Security API " + type, e);
            }
        }
    };

    private final Object exchange;

    WebFluxSessionLogin(Object exchange) {
        this.exchange = exchange;
    }

    /** Runs in the service's reactive chain: never throws ({@link Hooks#loginChecked} fails open). */
    @Override
    public void accept(Object securityContext) {
        Hooks.loginChecked(exchange, securityContext);
    }

    /** @return the {@code Authentication} of a Spring Security {@code SecurityContext}; {@code null} when none */
    static Object authenticationOf(Object securityContext) {
        if (securityContext == null) {
            return null;
        }
        Optional<Method> getAuthentication = GET_AUTHENTICATION.get(securityContext.getClass());
        return getAuthentication.isPresent() ? Types.call(getAuthentication.get(), securityContext) : null;
    }
}
