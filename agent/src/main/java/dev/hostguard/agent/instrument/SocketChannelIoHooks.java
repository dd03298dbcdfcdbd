package dev.hostguard.agent.instrument;

import static dev.hostguard.agent.instrument.HookFamily.takes;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.not;

import dev.hostguard.agent.bootstrap.Hooks;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * The JDK's socket channels ({@code sun.nio.ch.SocketChannelImpl}, Unix-domain and TCP alike) kept open to a
 * container runtime. After {@code connect(SocketAddress)} returns (every {@code SocketChannel.open(address)} and
 * {@code connect}, blocking or not) a channel to a runtime socket is remembered, whoever connected it
 * ({@code Hooks.channelConnected}; the connect itself is judged at {@code UnixDomainSockets.connect}, inside it).
 * Its reads and writes are judged when it is remembered ({@code Hooks.socketIO}, by the channel): the same methods on
 * JDK 17 and 25, {@code read} and {@code write} of one buffer and their vectored forms (every {@code SocketChannel}
 * read and write; JDK 17's {@code Channels.newInputStream}/{@code newOutputStream} call them), and
 * {@code blockingRead} and {@code blockingWriteFully}, where the stream adaptors of a socket channel go on 21+
 * ({@code Channels}' streams are then {@code sun.nio.ch.SocketInputStream}/{@code SocketOutputStream}) and a TCP
 * channel's {@code socket()} adaptor on all. The advice runs before the method's body: a refused write sends
 * nothing. Not seen here: {@code FileChannel.transferTo} into a socket channel, which the kernel does
 * ({@code sendfile}) on the channel's descriptor.
 */
final class SocketChannelIoHooks implements HookFamily {
    private static final String CHANNEL = "sun.nio.ch.SocketChannelImpl";

    @Override
    public String name() {
        return "socket-channel-io";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(HookTarget.jdk(CHANNEL,
                new HookSite("SocketChannelImpl.connect", "connect",
                        not(isStatic()).and(takes(SocketAddress.class)), advice("ConnectedAdvice"), true),
                new HookSite("SocketChannelImpl.read", "read", not(isStatic()).and(takes(ByteBuffer.class)),
                        advice("ReadAdvice"), true),
                new HookSite("SocketChannelImpl.read(ByteBuffer[])", "read",
                        not(isStatic()).and(takes(ByteBuffer[].class, int.class, int.class)),
                        advice("ReadAdvice"), true),
                new HookSite("SocketChannelImpl.write", "write", not(isStatic()).and(takes(ByteBuffer.class)),
                        advice("WriteAdvice"), true),
                new HookSite("SocketChannelImpl.write(ByteBuffer[])", "write",
                        not(isStatic()).and(takes(ByteBuffer[].class, int.class, int.class)),
                        advice("WriteAdvice"), true),
                new HookSite("SocketChannelImpl.blockingRead", "blockingRead",
                        not(isStatic()).and(takes(byte[].class, int.class, int.class, long.class)),
                        advice("ReadAdvice"), true),
                new HookSite("SocketChannelImpl.blockingWriteFully", "blockingWriteFully",
                        not(isStatic()).and(takes(byte[].class, int.class, int.class)),
                        advice("WriteAdvice"), true)));
    }

    /** After a connect (or its start, non-blocking): the channel is remembered when it reached a runtime. */
    static final class ConnectedAdvice {
        private ConnectedAdvice() {
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.This Object channel, @Advice.Argument(0) Object address,
                         @Advice.Thrown Throwable thrown) {
            Hooks.channelConnected(channel, address, thrown);
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
}
