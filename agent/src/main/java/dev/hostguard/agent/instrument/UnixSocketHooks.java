package dev.hostguard.agent.instrument;

import static dev.hostguard.agent.instrument.HookFamily.takes;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;

import dev.hostguard.agent.bootstrap.Hooks;
import java.io.FileDescriptor;
import java.nio.file.Path;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * Unix-domain socket connects (JDK 16+), at {@code sun.nio.ch.UnixDomainSockets.connect(FileDescriptor, Path)},
 * which every blocking and non-blocking {@code SocketChannel} connect to a {@code UnixDomainSocketAddress} reaches.
 * Opening a socket file as a stream fails, so only this hook sees a Docker-socket conversation. Libraries with
 * their own native sockets (Netty epoll, junixsocket) never reach it. And the binds, at
 * {@code UnixDomainSockets.bind(FileDescriptor, Path)}, the native {@code bind0}'s one caller (a
 * {@code ServerSocketChannel}'s or a {@code SocketChannel}'s bind to a {@code UnixDomainSocketAddress}): the socket
 * file it makes at the caller's path is judged as a create there ({@code HookHandler.CHANGE_CREATE}, access
 * {@code write}), as {@code mkdir} is.
 */
final class UnixSocketHooks implements HookFamily {

    @Override
    public String name() {
        return "unix-connect";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(HookTarget.jdk("sun.nio.ch.UnixDomainSockets",
                new HookSite("UnixDomainSockets.connect", "connect", isStatic().and(takes(FileDescriptor.class,
                        Path.class)), advice("ConnectAdvice"), true),
                new HookSite("UnixDomainSockets.bind", "bind", isStatic().and(takes(FileDescriptor.class, Path.class)),
                        advice("BindAdvice"), true)));
    }

    static final class ConnectAdvice {
        private ConnectAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(1) Object socketPath) throws java.io.IOException {
            Hooks.unixConnect(socketPath);
        }
    }

    static final class BindAdvice {
        private BindAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(1) Object socketPath) throws java.io.IOException {
            Hooks.unixBind(socketPath);
        }
    }
}
