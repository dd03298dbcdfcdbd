package dev.hostguard.agent.context;

import dev.hostguard.agent.bootstrap.Hooks;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The few grpc-java methods the guard calls, resolved once per class on its public API ({@code ServerCall},
 * {@code MethodDescriptor}, {@code Attributes}, {@code Metadata}, {@code Status}) in the service's own copy: the
 * agent cannot link against grpc-java. A request is a server call ({@code io.grpc.internal.ServerCallImpl}), or at
 * its start the parameters grpc-java keeps it in ({@code ServerImpl.ServerTransportListenerImpl.ServerCallParameters},
 * whose {@code call} field is read); its metadata are what the call was made from ({@link Hooks#headersOf}).
 */
final class GrpcApi implements ServerApi {
    static final String CALL = "io.grpc.ServerCall";
    static final String CALL_IMPL = "io.grpc.internal.ServerCallImpl";
    static final String PARAMETERS = "io.grpc.internal.ServerImpl$ServerTransportListenerImpl$ServerCallParameters";

    /** The {@code call} field of the parameters; {@code null} for the API of a call. */
    private final Field parametersCall;
    private final Class<?> metadata;
    private final Method methodDescriptor;
    private final Method fullMethodName;
    private final Method attributes;
    private final Method attribute;
    private final Object remoteAddress;
    private final Object sslSession;
    private final Method metadataGet;
    private final Method keyOf;
    private final Object asciiMarshaller;
    private final Method close;
    private final Object permissionDenied;
    private final Method withDescription;
    private final Constructor<?> newMetadata;
    private final Class<?> contextKey;
    private final Method contextKeyGet;
    /** grpc-java's own call's {@code Context.CancellableContext}; {@code null} for another call class. */
    private final Field callContext;
    private final Method cancel;
    /** Metadata keys by name: made once each (a key validates and lower-cases its name). */
    private final ConcurrentHashMap<String, Object> keys = new ConcurrentHashMap<>();

    private GrpcApi(Class<?> call, Field parametersCall) throws ReflectiveOperationException {
        this.parametersCall = parametersCall;
        ClassLoader loader = call.getClassLoader();
        metadata = Class.forName("io.grpc.Metadata", false, loader);
        methodDescriptor = call.getMethod("getMethodDescriptor");
        fullMethodName = methodDescriptor.getReturnType().getMethod("getFullMethodName");
        attributes = call.getMethod("getAttributes");
        Class<?> attributeKey = Class.forName("io.grpc.Attributes$Key", false, loader);
        attribute = attributes.getReturnType().getMethod("get", attributeKey);
        Class<?> grpc = Class.forName("io.grpc.Grpc", false, loader);
        remoteAddress = grpc.getField("TRANSPORT_ATTR_REMOTE_ADDR").get(null);
        sslSession = grpc.getField("TRANSPORT_ATTR_SSL_SESSION").get(null);
        Class<?> metadataKey = Class.forName("io.grpc.Metadata$Key", false, loader);
        metadataGet = metadata.getMethod("get", metadataKey);
        Class<?> asciiMarshallerType = Class.forName("io.grpc.Metadata$AsciiMarshaller", false, loader);
        keyOf = metadataKey.getMethod("of", String.class, asciiMarshallerType);
        asciiMarshaller = metadata.getField("ASCII_STRING_MARSHALLER").get(null);
        Class<?> status = Class.forName("io.grpc.Status", false, loader);
        close = call.getMethod("close", status, metadata);
        permissionDenied = status.getField("PERMISSION_DENIED").get(null);
        withDescription = status.getMethod("withDescription", String.class);
        newMetadata = metadata.getConstructor();
        contextKey = Class.forName("io.grpc.Context$Key", false, loader);
        contextKeyGet = contextKey.getMethod("get");
        Class<?> impl = Class.forName(CALL_IMPL, false, loader);
        callContext = impl.getDeclaredField("context");
        callContext.setAccessible(true); // grpc-java's own class, in the service's loader
        cancel = callContext.getType().getMethod("cancel", Throwable.class);
    }

    /** @return the API of {@code type}, a server call or grpc-java's parameters of one; {@code null}: neither */
    static GrpcApi of(Class<?> type) {
        try {
            Class<?> call = Types.findSuperType(type, CALL);
            if (call != null) {
                return new GrpcApi(call, null);
            }
            if (!type.getName().equals(PARAMETERS)) {
                return null;
            }
            Field field = type.getDeclaredField("call");
            field.setAccessible(true); // grpc-java's own class, package private, in the service's loader
            return new GrpcApi(Types.findSuperType(field.getType(), CALL), field);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("unexpected grpc-java server API " + type, e);
        }
    }

    @Override
    public RequestView view(Object request, Object response) {
        Object call = request;
        if (parametersCall != null) {
            try {
                call = parametersCall.get(request);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("grpc-java's call parameters are not readable", e);
            }
        }
        Object headers = metadata.isInstance(response) ? response : Hooks.headersOf(call);
        return new GrpcRequestView(this, call, headers);
    }

    /** {@code /<full method name>}, as gRPC's HTTP/2 request path is. */
    String path(Object call) {
        return "/" + Types.call(fullMethodName, Types.call(methodDescriptor, call));
    }

    Object attribute(Object call, boolean ssl) {
        Object attrs = Types.call(attributes, call);
        return attrs == null ? null : Types.call(attribute, attrs, ssl ? sslSession : remoteAddress);
    }

    /** The first ASCII value of metadata {@code name} (any case); {@code null}: absent, or no ASCII key's name. */
    String header(Object headers, String name) {
        if (headers == null) {
            return null;
        }
        Object key = keys.get(name);
        if (key == null) {
            try {
                key = Types.call(keyOf, null, name, asciiMarshaller);
            } catch (IllegalStateException notAnAsciiKey) { // a "-bin" name, or a character gRPC refuses
                return null;
            }
            keys.putIfAbsent(name, key);
        }
        return (String) Types.call(metadataGet, headers, key);
    }

    /**
     * The principal an interceptor stored in the gRPC {@code Context} current on this thread (under a key
     * {@link Hooks#contextValue} saw a principal stored under); {@code null} when none.
     */
    java.security.Principal contextPrincipal() {
        for (java.lang.ref.WeakReference<?> reference : Hooks.principalKeys()) {
            Object key = reference.get();
            if (contextKey.isInstance(key) && Types.call(contextKeyGet, key) instanceof java.security.Principal p) {
                return p;
            }
        }
        return null;
    }

    /**
     * Ends {@code call} with {@code PERMISSION_DENIED} and {@code description}, then cancels its context (grpc-java's
     * own call), so that no callback of the call runs the application's code any more: a half-close queued behind the
     * refused message would otherwise answer on the closed call.
     *
     * @return whether it was ended; {@code false}: it was closed already (the application answered first)
     */
    boolean deny(Object call, String description) {
        try {
            Types.call(close, call, Types.call(withDescription, permissionDenied, description),
                    newMetadata.newInstance());
        } catch (IllegalStateException closed) { // "call already closed"
            return false;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("grpc-java's Metadata cannot be made", e);
        }
        if (callContext.getDeclaringClass().isInstance(call)) {
            try {
                Types.call(cancel, callContext.get(call), new java.util.concurrent.CancellationException(description));
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("grpc-java's call context is not readable", e);
            }
        }
        return true;
    }
}
