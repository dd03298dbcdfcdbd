package dev.hostguard.testapps.grpc;

import dev.hostguard.testapps.ops.HostOperations;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.netty.handler.ssl.ClientAuth;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A plain grpc-java service on its Netty transport: {@link OpsService} ({@code hostguard.Ops/Exec}, {@code Environ},
 * {@code Socket}, {@code Benign}, each running one of {@link HostOperations}) served twice, in plain text (the
 * client's metadata carries an API key or nothing, or credentials {@link CallerInterceptor} checks) and over TLS
 * that requires a client certificate (mTLS).
 *
 * <p>Environment: {@code SERVICE_KEY}, {@code OPS_USER}, {@code OPS_PASSWORD} ({@link CallerInterceptor}),
 * {@code TLS_KEYSTORE} (a PKCS12 file whose one key entry is the server's key and certificate; its
 * certificates are also what the server trusts from clients), {@code TLS_PASSWORD}, optional {@code DOCKER_HOST},
 * {@code CANARY}, {@code BIND} (default 127.0.0.1). Ready when it has printed
 * {@code grpc-app mtls on 127.0.0.1:<port>} and then {@code grpc-app listening on http://127.0.0.1:<port>} (the
 * plain-text port).
 */
public final class GrpcApp {
    private GrpcApp() {
    }

    public static void main(String[] args) throws Exception {
        HostOperations.prepare();
        String bind = System.getenv().getOrDefault("BIND", "127.0.0.1");
        Server mtls = NettyServerBuilder.forAddress(new InetSocketAddress(bind, 0))
                .sslContext(GrpcSslContexts.configure(
                                io.netty.handler.ssl.SslContextBuilder.forServer(keyManagers()))
                        .trustManager(trustManagers())
                        .clientAuth(ClientAuth.REQUIRE)
                        .build())
                .addService(OpsService.definition())
                .build()
                .start();
        Server plain = NettyServerBuilder.forAddress(new InetSocketAddress(bind, 0))
                .addService(ServerInterceptors.intercept(OpsService.definition(),
                        new CallerInterceptor(required("SERVICE_KEY"), required("OPS_USER"), required("OPS_PASSWORD"))))
                .build()
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            plain.shutdownNow();
            mtls.shutdownNow();
        }));
        System.out.println("grpc-app mtls on " + bind + ":" + mtls.getPort());
        System.out.println("grpc-app listening on http://" + bind + ":" + plain.getPort());
        plain.awaitTermination();
    }

    private static KeyStore keyStore() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(Path.of(required("TLS_KEYSTORE")))) {
            store.load(in, required("TLS_PASSWORD").toCharArray());
        }
        return store;
    }

    private static KeyManagerFactory keyManagers() throws Exception {
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keyStore(), required("TLS_PASSWORD").toCharArray());
        return factory;
    }

    private static TrustManagerFactory trustManagers() throws Exception {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(keyStore());
        return factory;
    }

    private static String required(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("env " + name + " is required");
        }
        return value;
    }
}
