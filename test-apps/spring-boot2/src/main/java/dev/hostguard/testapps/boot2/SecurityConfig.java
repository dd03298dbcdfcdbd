package dev.hostguard.testapps.boot2;

import static org.springframework.security.config.Customizer.withDefaults;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;

/**
 * One filter chain per route family, in Spring Security 5.7's component style: {@code /key/**} behind
 * {@link ServiceKeyFilter} (header {@code X-Service-Key}, env {@code SERVICE_KEY}), {@code /basic/**} behind HTTP
 * Basic against the in-memory user {@code OPS_USER}/{@code OPS_PASSWORD}, {@code /anon/**} open to everyone. CSRF
 * protection is off: the tests' client is no browser.
 */
@Configuration
public class SecurityConfig {

    @Bean
    SecurityFilterChain serviceKey(HttpSecurity http, @Value("${SERVICE_KEY}") String serviceKey) throws Exception {
        return http.antMatcher("/key/**")
                .addFilterBefore(new ServiceKeyFilter(serviceKey), UsernamePasswordAuthenticationFilter.class)
                .authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(csrf -> csrf.disable())
                .build();
    }

    @Bean
    SecurityFilterChain basic(HttpSecurity http) throws Exception {
        return http.antMatcher("/basic/**")
                .httpBasic(withDefaults())
                .authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(csrf -> csrf.disable())
                .build();
    }

    @Bean
    SecurityFilterChain anonymous(HttpSecurity http) throws Exception {
        return http.antMatcher("/anon/**")
                .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                .csrf(csrf -> csrf.disable())
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
