package dev.hostguard.testapps.grpc;

import dev.hostguard.testapps.ops.HostOperations;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The service {@value #SERVICE}: one unary method per host operation ({@code Exec}, {@code Environ}, {@code Socket},
 * {@code Benign}), strings in and out (UTF-8, {@link #MARSHALLER}: no protobuf). {@code Exec}'s request is the
 * command. A failure, a HostGuard refusal included, leaves the method unchanged, as a naive service's would: grpc-java
 * then ends the call itself.
 */
public final class OpsService {
    public static final String SERVICE = "hostguard.Ops";

    /** UTF-8 strings as messages. */
    public static final MethodDescriptor.Marshaller<String> MARSHALLER = new MethodDescriptor.Marshaller<>() {
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

    private OpsService() {
    }

    /** {@code hostguard.Ops/<Method>}, unary, strings. */
    public static MethodDescriptor<String, String> method(String name) {
        return MethodDescriptor.<String, String>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(MARSHALLER)
                .setResponseMarshaller(MARSHALLER)
                .build();
    }

    static ServerServiceDefinition definition() {
        ServerServiceDefinition.Builder service = ServerServiceDefinition.builder(SERVICE);
        for (String op : new String[] {"exec", "environ", "socket", "benign"}) {
            String name = Character.toUpperCase(op.charAt(0)) + op.substring(1);
            service.addMethod(method(name), ServerCalls.asyncUnaryCall(
                    (String request, StreamObserver<String> answer) -> {
                        answer.onNext(run(op, request));
                        answer.onCompleted();
                    }));
        }
        return service.build();
    }

    private static String run(String op, String request) {
        try {
            return HostOperations.run(op, Map.of("cmd", request));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
