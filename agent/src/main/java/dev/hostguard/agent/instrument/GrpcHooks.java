package dev.hostguard.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.hostguard.agent.bootstrap.Hooks;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * grpc-java's server ({@code io.grpc.internal.ServerImpl}, every transport: Netty, servlet, in-process): a call is a
 * request. Its application code runs in two places, both on the call's executor: {@code startWrappedCall}, where
 * the interceptors and the handler's {@code startCall} run (a streaming method's body starts there), and the four
 * callbacks of {@code ServerCallImpl.ServerStreamListenerImpl} ({@code messagesAvailable}, {@code halfClosed}, where
 * a unary method's body runs, {@code onReady}, {@code closed}); each is a request entry of the {@code ServerCallImpl}.
 * The call keeps no reference to its metadata: its constructor notes them ({@link Hooks#requestHeaders}). A refusal
 * ends the call with {@code PERMISSION_DENIED} at the entry's exit (the call's view answers); a callback's refusal is
 * swallowed there, as a servlet's, while one in {@code startWrappedCall} goes on to grpc-java, which must not get a
 * {@code null} listener (it closes the stream, already closed with our status, and logs it). Who is calling, beside
 * metadata and the TLS peer: a principal an interceptor stored in the gRPC {@code Context}
 * ({@code Context.withValue}/{@code withValues}: the keys of principal values are noted, {@link Hooks#contextValue},
 * and the view reads them from the context current at the operation).
 */
final class GrpcHooks implements HookFamily {
    private static final String CALL = "io.grpc.internal.ServerCallImpl";
    private static final String METADATA = "io.grpc.Metadata";
    private static final String CONTEXT = "io.grpc.Context";
    private static final String CONTEXT_KEY = "io.grpc.Context$Key";

    @Override
    public String name() {
        return "grpc";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(
                HookTarget.library(CALL,
                        new HookSite("ServerCallImpl.<init>", HookSite.CONSTRUCTOR, takesArguments(8)
                                .and(takesArgument(2, named(METADATA))), advice("CallMadeAdvice"), false)),
                HookTarget.library("io.grpc.internal.ServerImpl$ServerTransportListenerImpl",
                        new HookSite("ServerTransportListenerImpl.startWrappedCall", "startWrappedCall",
                                takesArguments(3).and(takesArgument(2, named(METADATA))),
                                advice("StartCallAdvice"), false)),
                HookTarget.library(CALL + "$ServerStreamListenerImpl",
                        callback("messagesAvailable", 1), callback("halfClosed", 0), callback("onReady", 0),
                        callback("closed", 1)),
                HookTarget.library(CONTEXT,
                        new HookSite("Context.withValue", "withValue", takesArguments(2)
                                .and(takesArgument(0, named(CONTEXT_KEY))), advice("ContextValueAdvice"), false),
                        new HookSite("Context.withValues", "withValues", takesArgument(0, named(CONTEXT_KEY)),
                                advice("ContextValuesAdvice"), false)));
    }

    private HookSite callback(String method, int arguments) {
        return new HookSite("ServerStreamListenerImpl." + method, method, takesArguments(arguments),
                advice("CallbackAdvice"), false);
    }

    /** Notes the metadata of a call made, for the call's views on whichever thread serves it. */
    static final class CallMadeAdvice {
        private CallMadeAdvice() {
        }

        @Advice.OnMethodExit
        static void exit(@Advice.This Object call, @Advice.Argument(2) Object headers) {
            Hooks.requestHeaders(call, headers);
        }
    }

    /**
     * The call's start (interceptors, the handler's {@code startCall}): a request entry of its parameters (the call
     * inside them) with its metadata. The exception of a refusal is left to grpc-java, whose caller needs a
     * listener or an exception, never the {@code null} a swallowed exception would return.
     */
    static final class StartCallAdvice {
        private StartCallAdvice() {
        }

        @Advice.OnMethodEnter
        static Object enter(@Advice.Argument(1) Object parameters, @Advice.Argument(2) Object headers) {
            return Hooks.requestEnter(parameters, headers);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object token, @Advice.Thrown Throwable thrown) {
            Hooks.requestExit(token, thrown);
        }
    }

    /** {@code Context.withValue(key, value)}: notes a key a principal is stored under. */
    static final class ContextValueAdvice {
        private ContextValueAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object key, @Advice.Argument(1) Object value) {
            Hooks.contextValue(key, value);
        }
    }

    /** {@code Context.withValues(k1, v1, k2, v2, ...)} (two to four pairs): notes the keys principals are stored under. */
    static final class ContextValuesAdvice {
        private ContextValuesAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.AllArguments Object[] pairs) {
            Hooks.contextValues(pairs);
        }
    }

    /** A callback of the call's listener: a request entry of the call. */
    static final class CallbackAdvice {
        private CallbackAdvice() {
        }

        @Advice.OnMethodEnter
        static Object enter(@Advice.FieldValue("call") Object call) {
            return Hooks.requestEnter(call, call);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object token, @Advice.Thrown(readOnly = false) Throwable thrown) {
            thrown = Hooks.requestExit(token, thrown);
        }
    }
}
