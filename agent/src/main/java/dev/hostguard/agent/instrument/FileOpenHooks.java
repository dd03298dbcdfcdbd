package dev.hostguard.agent.instrument;

import static dev.hostguard.agent.instrument.HookFamily.takes;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.hostguard.agent.bootstrap.Hooks;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * File opens, at the private {@code open} wrappers of the java.io streams (every {@code FileReader},
 * {@code Scanner(File)}, {@code file:} URL, {@code ZipFile} and class path read ends there) and at NIO's
 * {@code UnixNativeDispatcher.open}/{@code openat} (every {@code Files} method, {@code FileChannel},
 * asynchronous channels, copies and {@code UnixChannelFactory}, whose {@code open} changed shape in JDK 24, calls
 * them). The natives below take a buffer address, not a path, so the wrappers just above them are the choke
 * points; their shapes are the same on JDK 17, 21 and 25.
 *
 * <p>A read-only open is judged before it only when its path names a rule as spelled, else after it, on the
 * descriptor (the exit advice: NIO's returned {@code int}, the java.io stream's {@code FileDescriptor}), before
 * anything is read; opens that write, create or truncate are judged before ({@link Hooks#fileOpening}).
 */
final class FileOpenHooks implements HookFamily {
    /** java.io {@code RandomAccessFile} mode bit for read-write. */
    static final int RAF_READ_WRITE = 2;
    /** Linux {@code O_ACCMODE}: any bit set means the file is opened for writing. */
    static final int O_ACCMODE = 3;
    /** Linux {@code O_RDONLY}: what a {@code FileInputStream} opens with. */
    static final int O_RDONLY = 0;
    /** Linux {@code AT_FDCWD}: {@code open}'s path is relative to the working directory. */
    static final int AT_FDCWD = -100;

    @Override
    public String name() {
        return "file-open";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(
                HookTarget.jdk("java.io.FileInputStream", new HookSite("FileInputStream.open", "open",
                        takes(String.class), advice("ReadAdvice"), true)),
                HookTarget.jdk("java.io.FileOutputStream", new HookSite("FileOutputStream.open", "open",
                        takes(String.class, boolean.class), advice("WriteAdvice"), true)),
                HookTarget.jdk("java.io.RandomAccessFile", new HookSite("RandomAccessFile.open", "open",
                        takes(String.class, int.class), advice("RandomAccessAdvice"), true)),
                HookTarget.jdk("sun.nio.fs.UnixNativeDispatcher",
                        new HookSite("UnixNativeDispatcher.open", "open", isStatic().and(takesArguments(3))
                                .and(takesArgument(0, named("sun.nio.fs.UnixPath"))), advice("NioOpenAdvice"), true),
                        new HookSite("UnixNativeDispatcher.openat", "openat", isStatic()
                                .and(takes(int.class, byte[].class, int.class, int.class)),
                                advice("NioOpenAtAdvice"), true)));
    }

    static final class ReadAdvice {
        private ReadAdvice() {
        }

        @Advice.OnMethodEnter
        static boolean enter(@Advice.Argument(0) String name) throws java.io.IOException {
            return Hooks.fileOpening(name, O_RDONLY);
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Enter boolean judge, @Advice.This Object stream, @Advice.Argument(0) String name)
                throws java.io.IOException {
            Hooks.streamOpened(judge, stream, name);
        }
    }

    static final class WriteAdvice {
        private WriteAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) String name) throws java.io.IOException {
            Hooks.fileOpen(name, true);
        }
    }

    static final class RandomAccessAdvice {
        private RandomAccessAdvice() {
        }

        @Advice.OnMethodEnter
        static boolean enter(@Advice.Argument(0) String name, @Advice.Argument(1) int mode)
                throws java.io.IOException {
            return Hooks.fileOpening(name, mode & RAF_READ_WRITE); // RandomAccessFile's RW bit is Linux's O_RDWR
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Enter boolean judge, @Advice.This Object stream, @Advice.Argument(0) String name)
                throws java.io.IOException {
            Hooks.streamOpened(judge, stream, name);
        }
    }

    static final class NioOpenAdvice {
        private NioOpenAdvice() {
        }

        @Advice.OnMethodEnter
        static boolean enter(@Advice.Argument(0) Object path, @Advice.Argument(1) int flags)
                throws java.io.IOException {
            return Hooks.fileOpening(path, flags);
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Enter boolean judge, @Advice.Return int fd, @Advice.Argument(0) Object path)
                throws java.io.IOException {
            Hooks.fileOpened(judge, fd, AT_FDCWD, path);
        }
    }

    static final class NioOpenAtAdvice {
        private NioOpenAtAdvice() {
        }

        @Advice.OnMethodEnter
        static boolean enter(@Advice.Argument(0) int directoryFd, @Advice.Argument(1) byte[] path,
                             @Advice.Argument(2) int flags) throws java.io.IOException {
            return Hooks.fileOpeningAt(directoryFd, path, flags);
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Enter boolean judge, @Advice.Return int fd, @Advice.Argument(0) int directoryFd,
                         @Advice.Argument(1) byte[] path) throws java.io.IOException {
            Hooks.fileOpened(judge, fd, directoryFd, path);
        }
    }
}
