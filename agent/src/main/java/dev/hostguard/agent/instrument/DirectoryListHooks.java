package dev.hostguard.agent.instrument;

import static dev.hostguard.agent.instrument.HookFamily.takes;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.hostguard.agent.bootstrap.Hooks;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * Directory listings. java.io: {@code File.normalizedList} (behind {@code list} and {@code listFiles}; the native
 * below it changed name in JDK 21). NIO: the Linux provider's {@code newDirectoryStream} (behind {@code Files.list},
 * {@code walk}, {@code find}, {@code newDirectoryStream}; it reaches the native {@code opendir} or
 * {@code fdopendir}, which cannot carry advice) and {@code SecureDirectoryStream.newDirectoryStream}, relative to an
 * open directory. And a watch: {@code sun.nio.fs.LinuxWatchService.register(Path, Kind[], Modifier...)}
 * ({@code Path.register(watcher, ...)}) reports the names of a directory's entries as they come and go, so it is
 * judged as a listing of that directory, on the caller's thread (the native {@code inotifyAddWatch} runs later on
 * the watch service's poller thread, which only carries out what {@code register} queued).
 */
final class DirectoryListHooks implements HookFamily {

    @Override
    public String name() {
        return "directory-list";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(
                HookTarget.jdk("java.io.File", new HookSite("File.normalizedList", "normalizedList",
                        takesArguments(0), advice("JavaIoListAdvice"), true)),
                HookTarget.jdk("sun.nio.fs.UnixFileSystemProvider", new HookSite(
                        "UnixFileSystemProvider.newDirectoryStream", "newDirectoryStream",
                        takes(Path.class, DirectoryStream.Filter.class), advice("NioListAdvice"), true)),
                HookTarget.jdk("sun.nio.fs.UnixSecureDirectoryStream", new HookSite(
                        "UnixSecureDirectoryStream.newDirectoryStream", "newDirectoryStream",
                        takes(Path.class, LinkOption[].class), advice("NioListAtAdvice"), true)),
                HookTarget.jdk("sun.nio.fs.LinuxWatchService", new HookSite("LinuxWatchService.register",
                        "register", not(isStatic()).and(takesArguments(3))
                                .and(takesArgument(0, named("java.nio.file.Path"))), advice("WatchAdvice"), true)));
    }

    static final class JavaIoListAdvice {
        private JavaIoListAdvice() {
        }

        /** A refused listing skips the method, which then returns null, as on any I/O error. */
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This java.io.File directory) {
            return Hooks.directoryListRefused(directory);
        }
    }

    static final class NioListAdvice {
        private NioListAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object directory) throws java.io.IOException {
            Hooks.directoryList(directory);
        }
    }

    static final class NioListAtAdvice {
        private NioListAtAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.FieldValue("dfd") int directoryFd, @Advice.Argument(0) Object path)
                throws java.io.IOException {
            Hooks.directoryListAt(directoryFd, path);
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
