package dev.hostguard.agent.instrument;

import static dev.hostguard.agent.instrument.HookFamily.argument;
import static dev.hostguard.agent.instrument.HookFamily.takes;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.hostguard.agent.bootstrap.Hooks;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Netty's native transports, epoll (Linux), kqueue (macOS, BSD) and io_uring (Linux, Netty 4.2), which never reach
 * the JDK's sockets. An epoll or kqueue socket is an {@code io.netty.channel.unix.Socket} (epoll's
 * {@code LinuxSocket}, kqueue's {@code BsdSocket}), a {@code io.netty.channel.unix.FileDescriptor} whose natives
 * take the descriptor's number. Hooked at the Java methods
 * above those natives, the same in Netty 4.1 (4.1.82 to 4.1.128 checked) and 4.2 (4.2.2, 4.2.18), only where a
 * service ships them (library targets by exact name):
 * <ul>
 *   <li>connects: {@code Socket.connect(SocketAddress)}, which every epoll and kqueue channel's connect reaches
 *       ({@code doConnect0}), with a {@code DomainSocketAddress} (a Unix socket path: judged and remembered as
 *       {@code Hooks.nativeUnixConnect}) or an {@code InetSocketAddress} (judged by the network rules, then a
 *       connection to a guarded endpoint remembered, even while in progress: a non-blocking connect returns
 *       {@code false}); TCP Fast Open, which connects by sending: epoll's {@code sendTo}, {@code sendToAddress},
 *       {@code sendToAddresses} with {@code fastOpen} set, kqueue's {@code BsdSocket.connectx};</li>
 *   <li>writes: {@code Socket.send}, {@code sendAddress}, {@code sendFd} (epoll's stream writes),
 *       {@code FileDescriptor.write}, {@code writeAddress} (kqueue's), {@code writev}, {@code writevAddresses} (both),
 *       {@code LinuxSocket.sendFile} and {@code BsdSocket.sendFile} (a {@code FileRegion});</li>
 *   <li>reads: {@code Socket.recv}, {@code recvAddress}, {@code recvFd} (epoll), {@code FileDescriptor.read},
 *       {@code readAddress} (kqueue).</li>
 *   <li>io_uring ({@code io.netty.channel.uring}) connects and writes by submitting operations to the ring, with no
 *       Java method above a syscall: its connect is judged where the channel's unsafe starts it
 *       ({@code AbstractUringUnsafe.connect(remote, local, promise)}, TCP Fast Open's {@code sendmsg} included; a
 *       refusal fails the connect's promise), its writes where a flush submits them
 *       ({@code AbstractIoUringChannel.doWrite}); the connection is the channel. Its reads are submitted by the event
 *       loop itself, in no request, and are not judged.</li>
 * </ul>
 * The connection is the {@code Socket} object (io_uring: the channel), the {@code this} of both its connect and its
 * I/O. A read or write on a remembered one inside a guarded request is judged before the native call
 * ({@code Hooks.socketIO}): a refused write
 * sends nothing; it throws the refusal ({@code HostGuardBlockedException}, an {@code IOException}) into the channel's
 * flush on its event loop, where Netty fails the write's promise with it and closes the channel. A write Netty could
 * not send at once (the socket's buffer full) is sent later by the event loop, in no request: judged only as far as
 * the request's own flush writes. Not seen here: {@code splice} ({@code AbstractEpollStreamChannel.spliceTo}, a static native on two descriptor numbers), datagram
 * {@code sendTo}/{@code recvFrom} to or from an address, and copies of Netty shaded under another package.
 */
final class NettyNativeSocketHooks implements HookFamily {
    private static final String SOCKET = "io.netty.channel.unix.Socket";
    private static final String FILE_DESCRIPTOR = "io.netty.channel.unix.FileDescriptor";
    private static final String INET_SOCKET_ADDRESS = "java.net.InetSocketAddress";
    private static final String FILE_REGION = "io.netty.channel.DefaultFileRegion";
    private static final String URING_CHANNEL = "io.netty.channel.uring.AbstractIoUringChannel";

    @Override
    public String name() {
        return "netty-native-sockets";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(
                HookTarget.library(SOCKET,
                        new HookSite("Socket.connect", "connect", instance(SocketAddress.class),
                                advice("ConnectAdvice"), false),
                        new HookSite("Socket.send", "send", instance(ByteBuffer.class, int.class, int.class),
                                SocketIoHooks.WRITE, false),
                        new HookSite("Socket.sendAddress", "sendAddress", instance(long.class, int.class, int.class),
                                SocketIoHooks.WRITE, false),
                        new HookSite("Socket.sendFd", "sendFd", instance(int.class), SocketIoHooks.WRITE, false),
                        new HookSite("Socket.recv", "recv", instance(ByteBuffer.class, int.class, int.class),
                                SocketIoHooks.READ, false),
                        new HookSite("Socket.recvAddress", "recvAddress", instance(long.class, int.class, int.class),
                                SocketIoHooks.READ, false),
                        new HookSite("Socket.recvFd", "recvFd", instance(), SocketIoHooks.READ, false),
                        new HookSite("Socket.sendTo(fastOpen)", "sendTo", instance(ByteBuffer.class, int.class,
                                int.class, InetAddress.class, int.class, boolean.class), advice("SendToAdvice"), false),
                        new HookSite("Socket.sendToAddress(fastOpen)", "sendToAddress", instance(long.class,
                                int.class, int.class, InetAddress.class, int.class, boolean.class),
                                advice("SendToAdvice"), false),
                        new HookSite("Socket.sendToAddresses(fastOpen)", "sendToAddresses", instance(long.class,
                                int.class, InetAddress.class, int.class, boolean.class),
                                advice("SendToAddressesAdvice"), false)),
                HookTarget.library(FILE_DESCRIPTOR,
                        new HookSite("FileDescriptor.write", "write", instance(ByteBuffer.class, int.class, int.class),
                                SocketIoHooks.WRITE, false),
                        new HookSite("FileDescriptor.writeAddress", "writeAddress",
                                instance(long.class, int.class, int.class), SocketIoHooks.WRITE, false),
                        new HookSite("FileDescriptor.writev", "writev",
                                instance(ByteBuffer[].class, int.class, int.class, long.class), SocketIoHooks.WRITE,
                                false),
                        new HookSite("FileDescriptor.writevAddresses", "writevAddresses",
                                instance(long.class, int.class), SocketIoHooks.WRITE, false),
                        new HookSite("FileDescriptor.read", "read", instance(ByteBuffer.class, int.class, int.class),
                                SocketIoHooks.READ, false),
                        new HookSite("FileDescriptor.readAddress", "readAddress",
                                instance(long.class, int.class, int.class), SocketIoHooks.READ, false)),
                HookTarget.library("io.netty.channel.epoll.LinuxSocket",
                        new HookSite("LinuxSocket.sendFile", "sendFile", sendFile(), SocketIoHooks.WRITE, false)),
                HookTarget.library(URING_CHANNEL + "$AbstractUringUnsafe",
                        new HookSite("AbstractUringUnsafe.connect", "connect", not(isStatic()).and(takesArguments(3))
                                .and(takesArgument(0, named(SocketAddress.class.getName()))),
                                advice("UringConnectAdvice"), false)),
                HookTarget.library(URING_CHANNEL,
                        new HookSite("AbstractIoUringChannel.doWrite", "doWrite", not(isStatic()).and(takesArguments(1))
                                .and(takesArgument(0, named("io.netty.channel.ChannelOutboundBuffer"))),
                                SocketIoHooks.WRITE, false)),
                HookTarget.library("io.netty.channel.kqueue.BsdSocket",
                        new HookSite("BsdSocket.sendFile", "sendFile", sendFile(), SocketIoHooks.WRITE, false),
                        new HookSite("BsdSocket.connectx", "connectx", not(isStatic()).and(takesArguments(4))
                                .and(takesArgument(0, named(INET_SOCKET_ADDRESS)))
                                .and(takesArgument(1, named(INET_SOCKET_ADDRESS))), advice("ConnectxAdvice"), false)));
    }

    private static ElementMatcher.Junction<MethodDescription> instance(Class<?>... types) {
        return not(isStatic()).and(takes(types));
    }

    /** {@code sendFile(DefaultFileRegion, long baseOffset, long offset, long length)}. */
    private static ElementMatcher.Junction<MethodDescription> sendFile() {
        return not(isStatic()).and(takesArguments(4)).and(takesArgument(0, named(FILE_REGION)))
                .and(argument(1, long.class));
    }

    /** A connect: judged before, remembered after (also when it is still in progress, non-blocking). */
    static final class ConnectAdvice {
        private ConnectAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object socket, @Advice.Argument(0) Object address)
                throws java.io.IOException {
            Hooks.nativeSocketConnect(socket, address);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.This Object socket, @Advice.Argument(0) Object address,
                         @Advice.Thrown Throwable thrown) {
            Hooks.nativeSocketConnected(socket, address, thrown);
        }
    }

    /**
     * io_uring's connect ({@code AbstractUringUnsafe.connect(remote, local, promise)}, before it submits the
     * connect, or TCP Fast Open's {@code sendmsg}, to the ring): the connection is the channel ({@code this$0}).
     */
    static final class UringConnectAdvice {
        private UringConnectAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.FieldValue("this$0") Object channel, @Advice.Argument(0) Object address)
                throws java.io.IOException {
            Hooks.nativeSocketConnect(channel, address);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.FieldValue("this$0") Object channel, @Advice.Argument(0) Object address,
                         @Advice.Thrown Throwable thrown) {
            Hooks.nativeSocketConnected(channel, address, thrown);
        }
    }

    /** kqueue's {@code connectx(source, destination, data, tcpFastOpen)}: a TCP connect that may carry data. */
    static final class ConnectxAdvice {
        private ConnectxAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object socket, @Advice.Argument(1) Object destination)
                throws java.io.IOException {
            Hooks.nativeSocketConnect(socket, destination);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.This Object socket, @Advice.Argument(1) Object destination,
                         @Advice.Thrown Throwable thrown) {
            Hooks.nativeSocketConnected(socket, destination, thrown);
        }
    }

    /**
     * {@code sendTo(ByteBuffer, pos, limit, InetAddress, port, fastOpen)} and {@code sendToAddress(memoryAddress,
     * pos, limit, InetAddress, port, fastOpen)}: with fastOpen, a TCP connect.
     */
    static final class SendToAdvice {
        private SendToAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object socket, @Advice.Argument(3) InetAddress address,
                          @Advice.Argument(4) int port, @Advice.Argument(5) boolean fastOpen)
                throws java.io.IOException {
            Hooks.nativeSendTo(socket, address, port, fastOpen);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.This Object socket, @Advice.Argument(3) InetAddress address,
                         @Advice.Argument(4) int port, @Advice.Argument(5) boolean fastOpen,
                         @Advice.Thrown Throwable thrown) {
            Hooks.nativeSentTo(socket, address, port, fastOpen, thrown);
        }
    }

    /** {@code sendToAddresses(memoryAddress, length, InetAddress, port, fastOpen)}. */
    static final class SendToAddressesAdvice {
        private SendToAddressesAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object socket, @Advice.Argument(2) InetAddress address,
                          @Advice.Argument(3) int port, @Advice.Argument(4) boolean fastOpen)
                throws java.io.IOException {
            Hooks.nativeSendTo(socket, address, port, fastOpen);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.This Object socket, @Advice.Argument(2) InetAddress address,
                         @Advice.Argument(3) int port, @Advice.Argument(4) boolean fastOpen,
                         @Advice.Thrown Throwable thrown) {
            Hooks.nativeSentTo(socket, address, port, fastOpen, thrown);
        }
    }
}
