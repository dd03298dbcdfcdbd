package dev.hostguard.agent.instrument;

import static dev.hostguard.agent.instrument.HookFamily.argument;
import static dev.hostguard.agent.instrument.HookFamily.takes;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.hostguard.agent.bootstrap.Hooks;
import java.io.FileDescriptor;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * The JDK's sockets kept open to a container runtime or a guarded network endpoint. After a socket's connect returns,
 * a connection to a runtime socket or to an endpoint a network rule guards is remembered, whoever connected it
 * ({@code Hooks.channelConnected}; the connect itself is judged inside, at {@code UnixDomainSockets.connect} or
 * {@code Net.connect}); its reads and writes are judged when it is remembered ({@code Hooks.socketIO}). The connection
 * is the JDK's socket object, which stands for it for its whole life and is never reused for another (read through
 * {@code @This} or an argument: reading a field in advice would cost the start-up some thirty classes of Byte
 * Buddy's). The advice runs before the method's body: a refused write sends nothing. The same methods on JDK 17 and
 * 25:
 * <ul>
 *   <li>{@code sun.nio.ch.SocketChannelImpl} (Unix-domain and TCP): {@code connect(SocketAddress)}; {@code read} and
 *       {@code write} of one buffer and their vectored forms (every {@code SocketChannel} read and write; JDK 17's
 *       {@code Channels} streams call them), and {@code blockingRead}/{@code blockingWriteFully}, where the stream
 *       adaptors of a socket channel go on 21+ and a TCP channel's {@code socket()} adaptor on all.</li>
 *   <li>{@code sun.nio.ch.NioSocketImpl}, every {@code java.net.Socket} (so {@code URL.openConnection}, Apache
 *       HttpClient, OkHttp): {@code connect(SocketAddress, int)}, and the private {@code read} and {@code write} of a
 *       byte range its streams call.</li>
 *   <li>{@code sun.nio.ch.AsynchronousSocketChannelImpl}: its two {@code connect}s, and the private {@code read} and
 *       {@code write} every public one calls; a refused one throws from the call instead of failing its future.</li>
 * </ul>
 * And {@code FileChannel.transferTo} into a socket channel, which the kernel does ({@code sendfile}) on the socket's
 * descriptor without the channel's {@code write}: judged as a write where {@code sun.nio.ch.FileChannelImpl} does it
 * directly, {@code transferToDirectlyInternal(long, int, WritableByteChannel, FileDescriptor)} on JDK 17,
 * {@code transferToSocketChannel(long, int, SocketChannelImpl)} on 25 (one or the other, so neither is required; the
 * in-process test runs on both). A transfer the JDK does not do directly writes through the channel's {@code write}.
 */
final class SocketIoHooks implements HookFamily {
    private static final String CHANNEL = "sun.nio.ch.SocketChannelImpl";
    private static final String SOCKET = "sun.nio.ch.NioSocketImpl";
    private static final String ASYNC_CHANNEL = "sun.nio.ch.AsynchronousSocketChannelImpl";
    /** A read of a socket, any library's: {@code Hooks.socketIO(this, false)} before the method's body. */
    static final String READ = SocketIoHooks.class.getName() + "$ReadAdvice";
    /** A write of a socket, any library's: {@code Hooks.socketIO(this, true)} before the method's body. */
    static final String WRITE = SocketIoHooks.class.getName() + "$WriteAdvice";

    @Override
    public String name() {
        return "socket-io";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(
                HookTarget.jdk(CHANNEL,
                        new HookSite("SocketChannelImpl.connect", "connect",
                                not(isStatic()).and(takes(SocketAddress.class)), advice("ConnectedAdvice"), true),
                        new HookSite("SocketChannelImpl.read", "read", not(isStatic()).and(takes(ByteBuffer.class)),
                                READ, true),
                        new HookSite("SocketChannelImpl.read(ByteBuffer[])", "read",
                                not(isStatic()).and(takes(ByteBuffer[].class, int.class, int.class)),
                                READ, true),
                        new HookSite("SocketChannelImpl.write", "write", not(isStatic()).and(takes(ByteBuffer.class)),
                                WRITE, true),
                        new HookSite("SocketChannelImpl.write(ByteBuffer[])", "write",
                                not(isStatic()).and(takes(ByteBuffer[].class, int.class, int.class)),
                                WRITE, true),
                        new HookSite("SocketChannelImpl.blockingRead", "blockingRead",
                                not(isStatic()).and(takes(byte[].class, int.class, int.class, long.class)),
                                READ, true),
                        new HookSite("SocketChannelImpl.blockingWriteFully", "blockingWriteFully",
                                not(isStatic()).and(takes(byte[].class, int.class, int.class)),
                                WRITE, true)),
                HookTarget.jdk(SOCKET,
                        new HookSite("NioSocketImpl.connect", "connect",
                                not(isStatic()).and(takes(SocketAddress.class, int.class)), advice("ConnectedAdvice"),
                                true),
                        new HookSite("NioSocketImpl.read", "read",
                                not(isStatic()).and(takes(byte[].class, int.class, int.class)),
                                READ, true),
                        new HookSite("NioSocketImpl.write", "write",
                                not(isStatic()).and(takes(byte[].class, int.class, int.class)),
                                WRITE, true)),
                HookTarget.jdk(ASYNC_CHANNEL,
                        new HookSite("AsynchronousSocketChannelImpl.connect", "connect",
                                not(isStatic()).and(takes(SocketAddress.class)), advice("ConnectedAdvice"), true),
                        new HookSite("AsynchronousSocketChannelImpl.connect(handler)", "connect",
                                not(isStatic()).and(takesArguments(3)).and(argument(0, SocketAddress.class)),
                                advice("ConnectedAdvice"), true),
                        new HookSite("AsynchronousSocketChannelImpl.read", "read", asyncIo(), READ,
                                true),
                        new HookSite("AsynchronousSocketChannelImpl.write", "write", asyncIo(),
                                WRITE, true)),
                HookTarget.jdk("sun.nio.ch.FileChannelImpl",
                        new HookSite("FileChannelImpl.transferToDirectlyInternal", "transferToDirectlyInternal",
                                not(isStatic()).and(takes(long.class, int.class,
                                        java.nio.channels.WritableByteChannel.class, FileDescriptor.class)),
                                advice("TransferAdvice"), false),
                        new HookSite("FileChannelImpl.transferToSocketChannel", "transferToSocketChannel",
                                not(isStatic()).and(takesArguments(3)).and(argument(0, long.class))
                                        .and(argument(1, int.class)).and(takesArgument(2, named(CHANNEL))),
                                advice("TransferAdvice"), false)));
    }

    /** The private {@code read}/{@code write(boolean, ByteBuffer, ByteBuffer[], long, TimeUnit, A, handler)}. */
    private static net.bytebuddy.matcher.ElementMatcher.Junction<net.bytebuddy.description.method.MethodDescription>
            asyncIo() {
        return not(isStatic()).and(takesArguments(7)).and(argument(0, boolean.class))
                .and(argument(1, ByteBuffer.class)).and(argument(2, ByteBuffer[].class));
    }

    /** After a connect (or its start, non-blocking): remembered when it reached a runtime or a guarded endpoint. */
    static final class ConnectedAdvice {
        private ConnectedAdvice() {
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.This Object connection, @Advice.Argument(0) Object address,
                         @Advice.Thrown Throwable thrown) {
            Hooks.channelConnected(connection, address, thrown);
        }
    }

    static final class ReadAdvice {
        private ReadAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object connection) throws java.io.IOException {
            Hooks.socketIO(connection, false);
        }
    }

    static final class WriteAdvice {
        private WriteAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object connection) throws java.io.IOException {
            Hooks.socketIO(connection, true);
        }
    }

    /** A direct transfer into a socket channel: the channel is the third argument (JDK 17: any target). */
    static final class TransferAdvice {
        private TransferAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(2) Object target) throws java.io.IOException {
            Hooks.socketIO(target, true);
        }
    }
}
