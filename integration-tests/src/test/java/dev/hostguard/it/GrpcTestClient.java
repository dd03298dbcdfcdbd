package dev.hostguard.it;

import dev.hostguard.it.TestAppSlot.Op;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real grpc-java client (Netty) of {@code test-apps/grpc}'s {@code hostguard.Ops}: a unary call per operation,
 * strings in and out, with one metadata entry or none; every call bounded by a deadline.
 */
final class GrpcTestClient implements AutoCloseable {
    private static final String SERVICE = "hostguard.Ops";
    private static final long DEADLINE_SECONDS = 20;

    /** UTF-8 strings as messages, as the service's. */
    private static final MethodDescriptor.Marshaller<String> STRINGS = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    /**
     * What a call ended with.
     *
     * @param code the status code's name ({@code OK}, {@code PERMISSION_DENIED}, ...)
     * @param description the status description; {@code null} when none
     * @param text the answer; empty when the call failed
     */
    record Answer(String code, String description, String text) {
    }

    /**
     * A self-signed EC key pair with its certificate for {@code localhost} and {@code 127.0.0.1}, in a PKCS12 file:
     * the server's and the client's key, and all that each trusts of the other.
     */
    record Tls(Path keyStore, String password) {
        static Tls generate(Path dir) throws IOException, InterruptedException {
            Files.createDirectories(dir);
            Path store = dir.resolve("grpc-mtls.p12");
            String password = "pw-" + UUID.randomUUID();
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "grpc-it",
                    "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                    "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                    "-keystore", store.toString(), "-storepass", password, "-keypass", password)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("keytool.log").toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool still running after 60 s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + Files.readString(dir.resolve("keytool.log")));
            }
            return new Tls(store, password);
        }

        private KeyStore load() throws Exception {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keyStore)) {
                keys.load(in, password.toCharArray());
            }
            return keys;
        }
    }

    private final ManagedChannel channel;

    private GrpcTestClient(ManagedChannel channel) {
        this.channel = channel;
    }

    static GrpcTestClient plainText(int port) {
        return new GrpcTestClient(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
    }

    /** Over TLS, presenting the key pair's certificate and trusting it alone. */
    static GrpcTestClient mutualTls(int port, Tls tls) {
        try {
            KeyStore keys = tls.load();
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, tls.password().toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(keys);
            return new GrpcTestClient(NettyChannelBuilder.forAddress("127.0.0.1", port)
                    .sslContext(GrpcSslContexts.forClient().keyManager(keyManagers).trustManager(trust).build())
                    .build());
        } catch (Exception e) {
            throw new IllegalStateException("no TLS client", e);
        }
    }

    /** {@code hostguard.Ops/Exec}, ... */
    static String method(Op op) {
        String name = op.name().toLowerCase(Locale.ROOT);
        return SERVICE + "/" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    private static MethodDescriptor<String, String> descriptor(String fullName, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<String, String>newBuilder()
                .setType(type)
                .setFullMethodName(fullName)
                .setRequestMarshaller(STRINGS)
                .setResponseMarshaller(STRINGS)
                .build();
    }

    /**
     * Calls {@code op} with {@code request} and, unless {@code name} is {@code null}, the metadata entry
     * {@code name: value}.
     */
    Answer call(Op op, String request, String name, String value) {
        Metadata headers = new Metadata();
        if (name != null) {
            headers.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value);
        }
        try {
            String text = ClientCalls.blockingUnaryCall(
                    io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers)),
                    descriptor(method(op), MethodDescriptor.MethodType.UNARY), CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS),
                    request);
            return new Answer("OK", null, text);
        } catch (StatusRuntimeException e) {
            return new Answer(e.getStatus().getCode().name(), e.getStatus().getDescription(), "");
        }
    }

    /**
     * A streaming call of {@code hostguard.Ops/<name>} ({@code CLIENT_STREAMING} or {@code BIDI_STREAMING}): sends
     * {@code requests}, half-closes, and waits (bounded) for its end; the answer's text is the responses, one a line.
     */
    Answer stream(String name, MethodDescriptor.MethodType type, List<String> requests) {
        MethodDescriptor<String, String> method = descriptor(SERVICE + "/" + name, type);
        CompletableFuture<Answer> ended = new CompletableFuture<>();
        StringBuilder text = new StringBuilder();
        StreamObserver<String> responses = new StreamObserver<>() {
            @Override
            public synchronized void onNext(String value) {
                text.append(value).append('\n');
            }

            @Override
            public synchronized void onError(Throwable failure) {
                Status status = Status.fromThrowable(failure);
                ended.complete(new Answer(status.getCode().name(), status.getDescription(), text.toString()));
            }

            @Override
            public synchronized void onCompleted() {
                ended.complete(new Answer("OK", null, text.toString()));
            }
        };
        ClientCall<String, String> call = channel.newCall(method,
                CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS));
        StreamObserver<String> out = type == MethodDescriptor.MethodType.CLIENT_STREAMING
                ? ClientCalls.asyncClientStreamingCall(call, responses)
                : ClientCalls.asyncBidiStreamingCall(call, responses);
        requests.forEach(out::onNext);
        out.onCompleted();
        try {
            return ended.get(DEADLINE_SECONDS + 5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("the call " + name + " did not end", e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(10, TimeUnit.SECONDS);
    }
}
