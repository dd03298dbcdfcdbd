package dev.hostguard.agent.instrument;

import static dev.hostguard.agent.instrument.HookFamily.takes;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;

import dev.hostguard.agent.bootstrap.Hooks;
import java.io.FileDescriptor;
import java.net.InetAddress;
import java.net.ProtocolFamily;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * Network connects, at {@code sun.nio.ch.Net.connect(ProtocolFamily, FileDescriptor, InetAddress, int)}, the one
 * Java method above the native {@code connect0} on JDK 17 to 25: {@code SocketChannelImpl} (so the
 * {@code HttpClient}, Netty's NIO transport and every blocking or non-blocking channel), {@code NioSocketImpl}
 * (so {@code java.net.Socket} and {@code URL.openConnection}'s HTTP client), {@code UnixAsynchronousSocketChannelImpl}
 * and {@code DatagramChannelImpl} (a UDP socket's connect) reach it, the last three through its three-argument
 * overload. The address it gets still carries the name the caller resolved, if any. Libraries with their own
 * native sockets (Netty epoll, io_uring) never reach it.
 * A connection so made to an endpoint a network rule guards is remembered where its socket's connect returns
 * ({@link SocketIoHooks}), so that a pooled connection to the Docker API or the Kubernetes API server is no way around
 * the connect's rule.
 */
final class NetworkConnectHooks implements HookFamily {

    @Override
    public String name() {
        return "network-connect";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(HookTarget.jdk("sun.nio.ch.Net", new HookSite("Net.connect", "connect",
                isStatic().and(takes(ProtocolFamily.class, FileDescriptor.class, InetAddress.class, int.class)),
                advice("ConnectAdvice"), true)));
    }

    static final class ConnectAdvice {
        private ConnectAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(2) InetAddress address, @Advice.Argument(3) int port)
                throws java.io.IOException {
            Hooks.networkConnect(address, port);
        }
    }
}
