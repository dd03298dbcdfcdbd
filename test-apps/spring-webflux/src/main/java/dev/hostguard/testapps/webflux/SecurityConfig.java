package dev.hostguard.testapps.webflux;

import static org.springframework.security.config.Customizer.withDefaults;
import static org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers.pathMatchers;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.userdetails.MapReactiveUserDetailsService;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.authentication.HttpStatusServerEntryPoint;
import org.springframework.security.web.server.authentication.ServerAuthenticationEntryPointFailureHandler;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;

/**
 * One {@link SecurityWebFilterChain} per route family, each with one way of authenticating, written the way the
 * Spring Security reference writes them for WebFlux:
 * <ul>
 *   <li>{@code /key/**} and {@code /fn/key/**}: an {@link AuthenticationWebFilter} with the app's own
 *       {@link ServiceKeyConverter} (header {@code X-Service-Key}) and {@link ServiceKeyAuthenticationManager} (env
 *       {@code SERVICE_KEY}), producing the app's own {@link ServiceKeyAuthentication}; no key or a wrong one: 401;
 *       no request cache, as APIs configure it</li>
 *   <li>{@code /basic/**}: HTTP Basic against the in-memory user {@code OPS_USER}/{@code OPS_PASSWORD}
 *       ({@link MapReactiveUserDetailsService}, checked by Spring's
 *       {@code UserDetailsRepositoryReactiveAuthenticationManager})</li>
 *   <li>{@code /form/**} (and {@code /login}): form login ({@code formLogin()}'s defaults: {@code POST /login} with
 *       {@code username} and {@code password}, the same in-memory user, a 302 on success) whose
 *       {@code SecurityContext} Spring keeps in the {@code WebSession}
 *       ({@code WebSessionServerSecurityContextRepository}, cookie {@code SESSION}) and loads from there for every
 *       later request; {@code /form/open/**} is open to everyone too (a request without a live session is anonymous
 *       there), the rest needs the login. WebFlux has no remember-me.</li>
 *   <li>{@code /anon/**} and {@code /fn/anon/**}: open to everyone, with Spring's anonymous authentication</li>
 * </ul>
 * Every other chain authenticates each request itself (no security context in a session). Where the request runs:
 * Spring Security's default request cache ({@code WebSessionServerRequestCache}, kept on {@code /basic} and
 * {@code /anon}) looks the session up for every request, and WebFlux's {@code InMemoryWebSessionStore} creates one
 * with {@code subscribeOn(Schedulers.boundedElastic()).publishOn(Schedulers.parallel())}: the rest of the chain, the
 * controller included, runs on a {@code parallel-<n>} thread. {@code /key} has no request cache, so its controller runs
 * on the Reactor Netty event loop that read the request. CSRF protection is off (the form login's too, as in the
 * Spring Boot apps): the tests' client is no browser, and a token would only add a round trip to the login.
 */
@Configuration
@EnableWebFluxSecurity
public class SecurityConfig {
    private static final HttpStatusServerEntryPoint UNAUTHORIZED = new HttpStatusServerEntryPoint(HttpStatus.UNAUTHORIZED);

    @Bean
    SecurityWebFilterChain serviceKey(ServerHttpSecurity http, @Value("${SERVICE_KEY}") String serviceKey) {
        AuthenticationWebFilter keyFilter = new AuthenticationWebFilter(new ServiceKeyAuthenticationManager(serviceKey));
        keyFilter.setServerAuthenticationConverter(new ServiceKeyConverter());
        keyFilter.setAuthenticationFailureHandler(new ServerAuthenticationEntryPointFailureHandler(UNAUTHORIZED));
        return http.securityMatcher(pathMatchers("/key/**", "/fn/key/**"))
                .addFilterAt(keyFilter, SecurityWebFiltersOrder.AUTHENTICATION)
                .authorizeExchange(exchanges -> exchanges.anyExchange().authenticated())
                .exceptionHandling(handling -> handling.authenticationEntryPoint(UNAUTHORIZED))
                // an API's chain: no saved requests, so no session is ever looked up (see the class comment)
                .requestCache(cache -> cache.requestCache(NoOpServerRequestCache.getInstance()))
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .build();
    }

    @Bean
    SecurityWebFilterChain basic(ServerHttpSecurity http) {
        return http.securityMatcher(pathMatchers("/basic/**"))
                .httpBasic(withDefaults())
                .authorizeExchange(exchanges -> exchanges.anyExchange().authenticated())
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .build();
    }

    @Bean
    SecurityWebFilterChain formLogin(ServerHttpSecurity http) {
        return http.securityMatcher(pathMatchers("/form/**", "/login"))
                .formLogin(withDefaults())
                .authorizeExchange(exchanges -> exchanges.pathMatchers("/form/open/**").permitAll()
                        .anyExchange().authenticated())
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .build();
    }

    @Bean
    SecurityWebFilterChain anonymous(ServerHttpSecurity http) {
        return http.securityMatcher(pathMatchers("/anon/**", "/fn/anon/**"))
                .anonymous(withDefaults())
                .authorizeExchange(exchanges -> exchanges.anyExchange().permitAll())
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .build();
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    MapReactiveUserDetailsService users(@Value("${OPS_USER}") String user, @Value("${OPS_PASSWORD}") String password,
                                        PasswordEncoder encoder) {
        return new MapReactiveUserDetailsService(
                User.withUsername(user).password(encoder.encode(password)).roles("OPS").build());
    }
}
