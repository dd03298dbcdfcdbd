package dev.hostguard.agent.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.hostguard.agent.bootstrap.HookHandler;
import dev.hostguard.agent.bootstrap.HostGuardBlockedException;
import dev.hostguard.agent.bootstrap.Hooks;
import dev.hostguard.agent.bootstrap.RequestScope;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.core.userdetails.User;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A login Spring Security WebFlux loads from the {@code WebSession}: the {@code Mono<SecurityContext>}
 * {@code WebSessionServerSecurityContextRepository.load} returns is replaced by one that notes the context's
 * {@code Authentication} on the exchange when it emits it, through the facade as the agent wires it (this test class
 * runs in a JVM of its own: it installs a handler doing what {@code Guard} does for these two calls).
 */
class WebFluxSessionLoginTest {
    static final List<String> FAILURES = new CopyOnWriteArrayList<>();
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private final ServerWebExchange exchange = (ServerWebExchange) Proxy.newProxyInstance(
            getClass().getClassLoader(), new Class<?>[] {ServerWebExchange.class},
            (proxy, method, args) -> switch (method.getName()) {
                case "getAttributes" -> attributes;
                case "getRequest", "getResponse" -> null;
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                case "toString" -> "exchange";
                default -> throw new UnsupportedOperationException(method.getName());
            });
    private final UsernamePasswordAuthenticationToken formLogin = UsernamePasswordAuthenticationToken.authenticated(
            User.withUsername("ops").password("{noop}x").roles("OPS").build(), null, List.of());

    @BeforeAll
    static void install() {
        Hooks.install(new GuardLike());
    }

    @Test
    void theLoadedContextsAuthenticationIsNotedWhenTheMonoEmitsIt() {
        Mono<SecurityContextImpl> loading = Mono.just(new SecurityContextImpl(formLogin));
        Object replaced = Hooks.loginLoading(exchange, loading);
        assertNotSame(loading, replaced);
        assertNull(principal(), "nothing is loaded before the Mono is subscribed");
        Object emitted = ((Mono<?>) replaced).block();
        assertSame(formLogin, ((SecurityContextImpl) emitted).getAuthentication(), "the context passes unchanged");
        assertSame(formLogin, principal());
        assertEquals(List.of(), FAILURES);
    }

    @Test
    void alsoWhenTheSessionStoreAnswersOnAnotherThread() {
        Mono<SecurityContextImpl> loading = Mono.fromCallable(() -> new SecurityContextImpl(formLogin))
                .subscribeOn(Schedulers.boundedElastic());
        ((Mono<?>) Hooks.loginLoading(exchange, loading)).block();
        assertSame(formLogin, principal());
    }

    @Test
    void noLoginInTheSessionOrAContextWithoutOneNotesNothing() {
        ((Mono<?>) Hooks.loginLoading(exchange, Mono.empty())).block();
        assertNull(principal());
        ((Mono<?>) Hooks.loginLoading(exchange, Mono.just(new SecurityContextImpl()))).block();
        assertNull(principal());
        assertEquals(List.of(), FAILURES);
    }

    @Test
    void whatIsNoMonoOrNoExchangeStandsAsItIs() {
        assertSame("pending", Hooks.loginLoading(exchange, "pending"));
        Mono<Object> loading = Mono.just(new SecurityContextImpl(formLogin));
        assertSame(loading, Hooks.loginLoading("no exchange", loading));
        assertSame(loading, Hooks.loginLoading(null, loading));
        assertNull(Hooks.loginLoading(exchange, null));
        assertEquals(List.of(), FAILURES);
    }

    private Object principal() {
        return RequestViews.of(exchange, null).principal();
    }

    /** {@code Guard}'s {@code loginChecked} and {@code loginLoading}; nothing else is called here. */
    static final class GuardLike implements HookHandler {
        @Override
        public void processStart(RequestScope scope, String[] command, String directory)
                throws HostGuardBlockedException {
        }

        @Override
        public void fileAccess(RequestScope scope, int operation, int directoryFd, String path)
                throws HostGuardBlockedException {
        }

        @Override
        public Object capture(RequestScope scope) {
            return null;
        }

        @Override
        public boolean answerBlocked(RequestScope scope, HostGuardBlockedException blocked) {
            return false;
        }

        @Override
        public Object refusalAnswer(Object request, HostGuardBlockedException refusal) {
            return null;
        }

        @Override
        public void loginChecked(Object request, Object answer) {
            RequestView view = RequestViews.of(request, null);
            if (view != null) {
                view.noteLogin(answer);
            }
        }

        @Override
        public Object loginLoading(Object request, Object pending) {
            RequestView view = RequestViews.of(request, null);
            return view == null ? null : view.whenLoginLoaded(pending);
        }

        @Override
        public void hookFailed(String site, Throwable failure) {
            FAILURES.add(site + ": " + failure);
        }
    }
}
