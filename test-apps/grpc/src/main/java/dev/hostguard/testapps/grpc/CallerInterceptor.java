package dev.hostguard.testapps.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Base64;
import java.util.List;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.User;

/**
 * The service's own authentication, as gRPC services write it: an interceptor that checks the call's metadata and
 * puts who is calling in the gRPC {@link Context} ({@link #CALLER}) for the call's callbacks:
 * <ul>
 *   <li>{@code x-service-key: <SERVICE_KEY>} (a header the agent does not know as a key's): a
 *       {@link ServiceKeyPrincipal}</li>
 *   <li>{@code authorization: Basic <OPS_USER:OPS_PASSWORD>}: Spring Security's
 *       {@link UsernamePasswordAuthenticationToken} of a {@code UserDetails} (a user store's login), as the Spring
 *       gRPC integrations keep it</li>
 * </ul>
 * Wrong credentials end the call with {@code UNAUTHENTICATED}; none leave it anonymous.
 */
final class CallerInterceptor implements ServerInterceptor {
    static final Context.Key<Principal> CALLER = Context.key("caller");
    private static final Metadata.Key<String> SERVICE_KEY =
            Metadata.Key.of("x-service-key", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final String serviceKey;
    private final String basic;
    private final String user;
    private final String password;

    CallerInterceptor(String serviceKey, String user, String password) {
        this.serviceKey = serviceKey;
        this.user = user;
        this.password = password;
        this.basic = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                      ServerCallHandler<Q, A> next) {
        Principal caller = null;
        String key = headers.get(SERVICE_KEY);
        String authorization = headers.get(AUTHORIZATION);
        if (key != null) {
            if (!key.equals(serviceKey)) {
                return refuse(call);
            }
            caller = new ServiceKeyPrincipal("service-key-client");
        } else if (authorization != null && authorization.startsWith("Basic ")) {
            if (!authorization.equals(basic)) {
                return refuse(call);
            }
            List<SimpleGrantedAuthority> roles = List.of(new SimpleGrantedAuthority("ROLE_OPS"));
            caller = UsernamePasswordAuthenticationToken.authenticated(
                    User.withUsername(user).password("{noop}" + password).authorities(roles).build(), null, roles);
        }
        return caller == null ? next.startCall(call, headers)
                : Contexts.interceptCall(Context.current().withValue(CALLER, caller), call, headers, next);
    }

    private static <Q, A> ServerCall.Listener<Q> refuse(ServerCall<Q, A> call) {
        call.close(Status.UNAUTHENTICATED.withDescription("wrong credentials"), new Metadata());
        return new ServerCall.Listener<>() {
        };
    }
}
