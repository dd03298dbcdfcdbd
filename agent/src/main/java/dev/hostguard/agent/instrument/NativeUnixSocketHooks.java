package dev.hostguard.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.hostguard.agent.bootstrap.Hooks;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * Unix-domain sockets of libraries with their own native code, at their Java entry points (the native methods
 * themselves have no body to hook), hooked only where a service ships them (library targets, by exact name):
 * <ul>
 *   <li>junixsocket 2.x ({@code org.newsclub.net.unix}): every {@code AFUNIXSocket} and {@code AFUNIXSocketChannel}
 *       connect reaches {@code AFSocketImpl.connect0(SocketAddress, int)}; the channel's reads and writes
 *       {@code AFSocketImpl.read(ByteBuffer, ByteBuffer)}, {@code write(ByteBuffer)}, {@code send},
 *       {@code receive}; the socket's streams are {@code AFSocketImpl}'s inner {@code AFInputStreamImpl} and
 *       {@code AFOutputStreamImpl}, which call the natives themselves. The connection is the {@code AFSocketImpl}.</li>
 *   <li>jnr-unixsocket ({@code jnr.unixsocket}): {@code UnixSocketChannel.connect(UnixSocketAddress)} (which
 *       {@code open(address)}, {@code connect(SocketAddress)} and {@code UnixSocket.connect} reach), its
 *       {@code read}/{@code write} and the vectored forms of its base {@code AbstractNativeSocketChannel};
 *       {@code UnixSocket}'s streams are {@code Channels}' over the channel. The connection is the channel.</li>
 * </ul>
 * A connect to a runtime socket is judged as the JDK's ({@code Hooks.nativeUnixConnect}: the address's path, read
 * by reflection) and remembered whoever makes it; a read or write on it inside a guarded request is judged as a
 * JDK channel's ({@code Hooks.socketIO}).
 */
final class NativeUnixSocketHooks implements HookFamily {
    private static final String SOCKET_ADDRESS = "java.net.SocketAddress";
    private static final String BYTE_BUFFER = "java.nio.ByteBuffer";
    private static final String BYTE_BUFFERS = "java.nio.ByteBuffer[]";
    private static final String JUNIXSOCKET_IMPL = "org.newsclub.net.unix.AFSocketImpl";

    @Override
    public String name() {
        return "native-unix-sockets";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(
                HookTarget.library(JUNIXSOCKET_IMPL,
                        new HookSite("AFSocketImpl.connect0", "connect0", not(isStatic()).and(takesArguments(2))
                                .and(takesArgument(0, named(SOCKET_ADDRESS))), advice("ConnectAdvice"), false),
                        new HookSite("AFSocketImpl.read", "read", not(isStatic()).and(takesArguments(2))
                                .and(takesArgument(0, named(BYTE_BUFFER))), SocketIoHooks.READ, false),
                        new HookSite("AFSocketImpl.receive", "receive", not(isStatic()).and(takesArguments(1))
                                .and(takesArgument(0, named(BYTE_BUFFER))), SocketIoHooks.READ, false),
                        new HookSite("AFSocketImpl.write", "write", not(isStatic()).and(takesArguments(1))
                                .and(takesArgument(0, named(BYTE_BUFFER))), SocketIoHooks.WRITE, false),
                        new HookSite("AFSocketImpl.send", "send", not(isStatic()).and(takesArguments(2))
                                .and(takesArgument(0, named(BYTE_BUFFER))), SocketIoHooks.WRITE, false)),
                HookTarget.library(JUNIXSOCKET_IMPL + "$AFInputStreamImpl",
                        new HookSite("AFInputStreamImpl.read", "read", not(isStatic()).and(takesArguments(0)
                                .or(takesArguments(3))), advice("OuterReadAdvice"), false)),
                HookTarget.library(JUNIXSOCKET_IMPL + "$AFOutputStreamImpl",
                        new HookSite("AFOutputStreamImpl.write", "write", not(isStatic()).and(takesArguments(1)
                                .or(takesArguments(3))), advice("OuterWriteAdvice"), false)),
                HookTarget.library("jnr.unixsocket.UnixSocketChannel",
                        new HookSite("UnixSocketChannel.connect", "connect", not(isStatic()).and(takesArguments(1))
                                .and(takesArgument(0, named("jnr.unixsocket.UnixSocketAddress"))),
                                advice("ConnectAdvice"), false),
                        new HookSite("UnixSocketChannel.read", "read", not(isStatic()).and(takesArguments(1))
                                .and(takesArgument(0, named(BYTE_BUFFER))), SocketIoHooks.READ, false),
                        new HookSite("UnixSocketChannel.write", "write", not(isStatic()).and(takesArguments(1)
                                .and(takesArgument(0, named(BYTE_BUFFER))).or(takesArguments(3)
                                .and(takesArgument(0, named(BYTE_BUFFERS))))), SocketIoHooks.WRITE, false)),
                HookTarget.library("jnr.unixsocket.impl.AbstractNativeSocketChannel",
                        new HookSite("AbstractNativeSocketChannel.read(ByteBuffer[])", "read",
                                not(isStatic()).and(takesArguments(3)).and(takesArgument(0, named(BYTE_BUFFERS))),
                                SocketIoHooks.READ, false)));
    }

    static final class ConnectAdvice {
        private ConnectAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object connection, @Advice.Argument(0) Object address)
                throws java.io.IOException {
            Hooks.nativeUnixConnect(connection, address);
        }
    }

    /** A junixsocket stream's read: the connection is its {@code AFSocketImpl}. */
    static final class OuterReadAdvice {
        private OuterReadAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.FieldValue("this$0") Object connection) throws java.io.IOException {
            Hooks.socketIO(connection, false);
        }
    }

    /** A junixsocket stream's write: the connection is its {@code AFSocketImpl}. */
    static final class OuterWriteAdvice {
        private OuterWriteAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.FieldValue("this$0") Object connection) throws java.io.IOException {
            Hooks.socketIO(connection, true);
        }
    }
}
