package dev.hostguard.testapps.webflux;

import org.springframework.security.core.Authentication;
import org.springframework.security.web.server.authentication.ServerAuthenticationConverter;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Reads {@value #HEADER}: present, it becomes {@link ServiceKeyAuthentication#presented}; absent, nothing (the request
 * goes on unauthenticated and the route's rule refuses it). The header is deliberately none of HostGuard's default key
 * headers: the agent must recognise the request by what Spring Security established, not by the header.
 */
final class ServiceKeyConverter implements ServerAuthenticationConverter {
    static final String HEADER = "X-Service-Key";

    @Override
    public Mono<Authentication> convert(ServerWebExchange exchange) {
        return Mono.justOrEmpty(exchange.getRequest().getHeaders().getFirst(HEADER))
                .map(ServiceKeyAuthentication::presented);
    }
}
