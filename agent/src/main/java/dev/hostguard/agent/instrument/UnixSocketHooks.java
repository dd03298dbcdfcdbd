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
 * their own native sockets (Netty epoll, junixsocket) never reach it.
 */
final class UnixSocketHooks implements HookFamily {

    @Override
    public String name() {
        return "unix-connect";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(HookTarget.jdk("sun.nio.ch.UnixDomainSockets", new HookSite("UnixDomainSockets.connect",
                "connect", isStatic().and(takes(FileDescriptor.class, Path.class)),
                advice("ConnectAdvice"), true)));
    }

    static final class ConnectAdvice {
        private ConnectAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(1) Object socketPath) throws java.io.IOException {
            Hooks.unixConnect(socketPath);
        }
    }
}
