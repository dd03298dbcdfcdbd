package dev.hostguard.agent.instrument;

import static dev.hostguard.agent.instrument.HookFamily.takes;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.hostguard.agent.bootstrap.Hooks;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * Two ways to a name in a directory that are neither an open nor a listing, the same shapes on JDK 17 and 25:
 * <ul>
 *   <li>{@code sun.nio.ch.UnixDomainSockets.bind(FileDescriptor, Path)}, the native {@code bind0}'s one caller (a
 *       {@code ServerSocketChannel}'s or a {@code SocketChannel}'s bind to a {@code UnixDomainSocketAddress}): the
 *       socket file it makes at the caller's path is judged as a create there ({@code HookHandler.CHANGE_CREATE},
 *       access {@code write}), as {@code mkdir} is.</li>
 *   <li>{@code sun.nio.fs.LinuxWatchService.register(Path, Kind[], Modifier...)} ({@code Path.register(watcher,
 *       ...)}): watching a directory reports the names of its entries as they come and go, so it is judged as a
 *       listing of that directory. Judged on the caller's thread: the native {@code inotifyAddWatch} runs later on
 *       the watch service's poller thread, which only carries out what {@code register} queued.</li>
 * </ul>
 * Both refusals are the {@code HostGuardBlockedException}, an {@code IOException}, as both methods declare.
 */
final class BindAndWatchHooks implements HookFamily {
    @Override
    public String name() {
        return "bind-and-watch";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(
                HookTarget.jdk("sun.nio.ch.UnixDomainSockets", new HookSite("UnixDomainSockets.bind", "bind",
                        isStatic().and(takesArguments(2)).and(takesArgument(0, named("java.io.FileDescriptor")))
                                .and(takesArgument(1, named("java.nio.file.Path"))), advice("BindAdvice"), true)),
                HookTarget.jdk("sun.nio.fs.LinuxWatchService", new HookSite("LinuxWatchService.register",
                        "register", not(isStatic()).and(takesArguments(3))
                                .and(takesArgument(0, named("java.nio.file.Path"))), advice("WatchAdvice"), true)));
    }

    static final class BindAdvice {
        private BindAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(1) Object socketPath) throws java.io.IOException {
            Hooks.unixBind(socketPath);
        }
    }

    static final class WatchAdvice {
        private WatchAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object directory) throws java.io.IOException {
            Hooks.directoryList(directory);
        }
    }
}
