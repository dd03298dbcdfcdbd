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
 * command. Two streaming methods run operations where grpc-java calls streaming code: {@code ExecEach} (client
 * streaming) each message's command as it arrives, {@code EnvironOnOpen} (bidirectional) the environment read in the
 * method's body, as the call starts. A failure, a HostGuard refusal included, leaves the method unchanged, as a naive service's would: grpc-java
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
        return method(name, MethodDescriptor.MethodType.UNARY);
    }

    /** {@code hostguard.Ops/<Method>} of {@code type}, strings. */
    public static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<String, String>newBuilder()
                .setType(type)
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
        // client streaming: each message a command, run as it arrives (grpc-java's messagesAvailable callback)
        service.addMethod(method("ExecEach", MethodDescriptor.MethodType.CLIENT_STREAMING),
                ServerCalls.asyncClientStreamingCall(answer -> new StreamObserver<String>() {
                    private int ran;

                    @Override
                    public void onNext(String command) {
                        run("exec", command);
                        ran++;
                    }

                    @Override
                    public void onError(Throwable failure) {
                    }

                    @Override
                    public void onCompleted() {
                        answer.onNext("ran " + ran);
                        answer.onCompleted();
                    }
                }));
        // bidirectional: the method's body reads the environment as the call opens (grpc-java runs it in the
        // handler's startCall), answers with it, then echoes each message
        service.addMethod(method("EnvironOnOpen", MethodDescriptor.MethodType.BIDI_STREAMING),
                ServerCalls.asyncBidiStreamingCall(answer -> {
                    answer.onNext(run("environ", ""));
                    return new StreamObserver<String>() {
                        @Override
                        public void onNext(String message) {
                            answer.onNext(message);
                        }

                        @Override
                        public void onError(Throwable failure) {
                        }

                        @Override
                        public void onCompleted() {
                            answer.onCompleted();
                        }
                    };
                }));
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
