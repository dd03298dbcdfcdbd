package dev.hostguard.testapps.boot3;

import static org.springframework.security.config.Customizer.withDefaults;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationProvider;
import org.springframework.security.web.authentication.preauth.RequestHeaderAuthenticationFilter;

/**
 * One filter chain per route family, each with one way of authenticating, written the way the Spring Security
 * reference and tutorials write them:
 * <ul>
 *   <li>{@code /key/**}: {@link ServiceKeyFilter} (header {@code X-Service-Key}, env {@code SERVICE_KEY})</li>
 *   <li>{@code /preauth/**}: {@link RequestHeaderAuthenticationFilter} on {@code X-Remote-User} (a proxy in front
 *       authenticated the caller, the service trusts the header)</li>
 *   <li>{@code /basic/**}: HTTP Basic against the in-memory user {@code OPS_USER}/{@code OPS_PASSWORD}</li>
 *   <li>{@code /form/**} (and {@code /login}): form login with the same user, a session, and remember-me</li>
 *   <li>{@code /jwt/**}: an OAuth2 resource server taking HS256 JWTs signed with {@code JWT_SECRET}</li>
 *   <li>{@code /anon/**}: open to everyone (Spring's anonymous authentication)</li>
 * </ul>
 * CSRF protection is off everywhere: the tests' client is no browser, and a CSRF token would only add a round trip
 * to the form login without changing how the request is authenticated.
 */
@Configuration
public class SecurityConfig {

    @Bean
    SecurityFilterChain serviceKey(HttpSecurity http, @Value("${SERVICE_KEY}") String serviceKey) throws Exception {
        return http.securityMatcher("/key/**")
                .addFilterBefore(new ServiceKeyFilter(serviceKey), UsernamePasswordAuthenticationFilter.class)
                .authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(csrf -> csrf.disable())
                .build();
    }

    @Bean
    SecurityFilterChain preAuthenticated(HttpSecurity http) throws Exception {
        RequestHeaderAuthenticationFilter remoteUser = new RequestHeaderAuthenticationFilter();
        remoteUser.setPrincipalRequestHeader("X-Remote-User");
        remoteUser.setExceptionIfHeaderMissing(false);  // no header: unauthenticated, refused by the rule below
        PreAuthenticatedAuthenticationProvider provider = new PreAuthenticatedAuthenticationProvider();
        // whoever the proxy names exists: the proxy is the authority here
        provider.setPreAuthenticatedUserDetailsService(token ->
                User.withUsername(token.getName()).password("").authorities("ROLE_PROXIED").build());
        remoteUser.setAuthenticationManager(new ProviderManager(provider));
        return http.securityMatcher("/preauth/**")
                .addFilter(remoteUser)
                .authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(csrf -> csrf.disable())
                .build();
    }

    @Bean
    SecurityFilterChain basic(HttpSecurity http) throws Exception {
        return http.securityMatcher("/basic/**")
                .httpBasic(withDefaults())
                .authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(csrf -> csrf.disable())
                .build();
    }

    @Bean
    SecurityFilterChain form(HttpSecurity http) throws Exception {
        return http.securityMatcher("/form/**", "/login", "/logout")
                .formLogin(login -> login.permitAll())
                // a fresh key per JVM: a remember-me cookie is good for this service's life only
                .rememberMe(rememberMe -> rememberMe.key(UUID.randomUUID().toString()))
                .authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
                .csrf(csrf -> csrf.disable())
                .build();
    }

    @Bean
    SecurityFilterChain jwt(HttpSecurity http) throws Exception {
        return http.securityMatcher("/jwt/**")
                .oauth2ResourceServer(resourceServer -> resourceServer.jwt(withDefaults()))
                .authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(csrf -> csrf.disable())
                .build();
    }

    @Bean
    SecurityFilterChain anonymous(HttpSecurity http) throws Exception {
        return http.securityMatcher("/anon/**")
                .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                .csrf(csrf -> csrf.disable())
                .build();
    }

    /** Tokens signed locally with a shared secret: the service needs no issuer on the network. */
    @Bean
    JwtDecoder jwtDecoder(@Value("${JWT_SECRET}") String secret) {
        return NimbusJwtDecoder.withSecretKey(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"))
                .macAlgorithm(MacAlgorithm.HS256)
                .build();
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    UserDetailsService users(@Value("${OPS_USER}") String user, @Value("${OPS_PASSWORD}") String password,
                             PasswordEncoder encoder) {
        return new InMemoryUserDetailsManager(
                User.withUsername(user).password(encoder.encode(password)).roles("OPS").build());
    }
}
