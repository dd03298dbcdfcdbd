package dev.hostguard.agent.instrument;

import static dev.hostguard.agent.instrument.HookFamily.takes;
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
 * open directory.
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
                        takes(Path.class, LinkOption[].class), advice("NioListAtAdvice"), true)));
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
}
