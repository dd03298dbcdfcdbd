package dev.hostguard.agent.instrument;

import static dev.hostguard.agent.instrument.HookFamily.takes;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.hostguard.agent.bootstrap.HookHandler;
import dev.hostguard.agent.bootstrap.Hooks;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Set;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Changes of the file system other than opens, at the JDK's choke points; the same shapes on JDK 17 and 25.
 *
 * <ul>
 *   <li>NIO names: the static wrappers above {@code UnixNativeDispatcher}'s natives {@code rename0},
 *       {@code renameat0} ({@code SecureDirectoryStream.move}), {@code link0}, {@code symlink0}, {@code unlink0},
 *       {@code unlinkat0} ({@code SecureDirectoryStream.deleteFile/deleteDirectory}), {@code rmdir0}, {@code mkdir0},
 *       {@code mknod0}:
 *       every {@code Files.move}, {@code delete}, {@code createDirectory}, {@code createLink},
 *       {@code createSymbolicLink}, and {@code Files.copy}'s own replacements, end there.</li>
 *   <li>NIO attributes: the views, which know the file and whether links are followed. The natives below them change
 *       between JDKs and take a descriptor as often as a path (JDK 17: {@code fchmod}, {@code fchown},
 *       {@code futimes}, {@code futimens} are natives without a Java wrapper; 25 adds {@code fchmodat0},
 *       {@code utimensat0}), so the views are the one level with one shape: {@code UnixFileAttributeViews$Basic.setTimes}
 *       (every basic, POSIX, Unix and DOS view), {@code $Posix.setMode} ({@code setPermissions},
 *       {@code unix:mode}) and {@code setOwners} ({@code setOwner}, {@code setGroup}), the user-defined view's
 *       {@code write} and {@code delete}, the Linux DOS view's {@code updateDosAttribute} (an xattr), and the
 *       {@code SecureDirectoryStream} views' {@code setTimes}, {@code setPermissions}, {@code setOwners}. The
 *       dispatcher's {@code chmod}, {@code chown}, {@code utimes}... are reached otherwise only by
 *       {@code Files.copy} setting a copy's attributes on the file it has just created (judged as that create).</li>
 *   <li>java.io: {@code UnixFileSystem.delete} and {@code rename}, Java wrappers on both JDKs. The other changes are
 *       public natives of {@code UnixFileSystem} on JDK 17 ({@code createDirectory}, {@code createFileExclusively},
 *       {@code setPermission}, {@code setReadOnly}, {@code setLastModifiedTime}), which carry no advice; their one
 *       caller, {@code java.io.File} ({@code FileSystem} is package-private), is hooked on both JDKs instead:
 *       {@code mkdir}, {@code createNewFile}, the two-argument {@code setReadable/setWritable/setExecutable},
 *       {@code setReadOnly}, {@code setLastModified}, and {@code File$TempDirectory.generateFile}'s answer (the
 *       name {@code createTempFile} is about to create).</li>
 * </ul>
 *
 * <p>{@code mknod} (no public API of its own) is hooked as a create: {@code Files.copy} and a move across file
 * systems of a FIFO or device node make one at the target path. java.io methods that answer {@code false} on failure answer {@code false} when
 * refused; the others throw the refusal (an {@code IOException}).
 */
final class FileChangeHooks implements HookFamily {
    private static final String DISPATCHER = "sun.nio.fs.UnixNativeDispatcher";
    private static final String UNIX_PATH = "sun.nio.fs.UnixPath";

    @Override
    public String name() {
        return "file-change";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(
                HookTarget.jdk(DISPATCHER,
                        dispatcher("rename", names(UNIX_PATH, UNIX_PATH), "RenameAdvice"),
                        dispatcher("renameat", takes(int.class, byte[].class, int.class, byte[].class),
                                "RenameAtAdvice"),
                        dispatcher("link", names(UNIX_PATH, UNIX_PATH), "LinkAdvice"),
                        dispatcher("symlink", names("byte[]", UNIX_PATH), "SymlinkAdvice"),
                        dispatcher("unlink", names(UNIX_PATH), "UnlinkAdvice"),
                        dispatcher("unlinkat", takes(int.class, byte[].class, int.class), "DeleteAtAdvice"),
                        dispatcher("rmdir", names(UNIX_PATH), "DeleteAdvice"),
                        dispatcher("mkdir", names(UNIX_PATH, "int"), "CreateAdvice"),
                        dispatcher("mknod", names(UNIX_PATH, "int", "long"), "CreateAdvice")),
                HookTarget.jdk("sun.nio.fs.UnixFileAttributeViews$Basic",
                        site("UnixFileAttributeViews$Basic.setTimes", "setTimes",
                                takes(FileTime.class, FileTime.class, FileTime.class), "TimesAdvice")),
                HookTarget.jdk("sun.nio.fs.UnixFileAttributeViews$Posix",
                        site("UnixFileAttributeViews$Posix.setMode", "setMode", takes(int.class), "ModeAdvice"),
                        site("UnixFileAttributeViews$Posix.setOwners", "setOwners", takes(int.class, int.class),
                                "OwnerAdvice")),
                HookTarget.jdk("sun.nio.fs.UnixUserDefinedFileAttributeView",
                        site("UnixUserDefinedFileAttributeView.write", "write", takes(String.class, ByteBuffer.class),
                                "XattrAdvice"),
                        site("UnixUserDefinedFileAttributeView.delete", "delete", takes(String.class),
                                "XattrAdvice")),
                HookTarget.jdk("sun.nio.fs.LinuxDosFileAttributeView",
                        site("LinuxDosFileAttributeView.updateDosAttribute", "updateDosAttribute",
                                takes(int.class, boolean.class), "DosAttributeAdvice")),
                HookTarget.jdk("sun.nio.fs.UnixSecureDirectoryStream$BasicFileAttributeViewImpl",
                        site("UnixSecureDirectoryStream$BasicFileAttributeViewImpl.setTimes", "setTimes",
                                takes(FileTime.class, FileTime.class, FileTime.class), "TimesAdvice")),
                HookTarget.jdk("sun.nio.fs.UnixSecureDirectoryStream$PosixFileAttributeViewImpl",
                        site("UnixSecureDirectoryStream$PosixFileAttributeViewImpl.setPermissions", "setPermissions",
                                takes(Set.class), "PermissionsAdvice"),
                        site("UnixSecureDirectoryStream$PosixFileAttributeViewImpl.setOwners", "setOwners",
                                takes(int.class, int.class), "OwnerAdvice")),
                HookTarget.jdk("java.io.UnixFileSystem",
                        site("java.io.UnixFileSystem.delete", "delete", takes(File.class), "JavaIoDeleteAdvice"),
                        site("java.io.UnixFileSystem.rename", "rename", takes(File.class, File.class),
                                "JavaIoRenameAdvice")),
                HookTarget.jdk("java.io.File",
                        site("File.mkdir", "mkdir", takesArguments(0), "JavaIoMkdirAdvice"),
                        site("File.createNewFile", "createNewFile", takesArguments(0), "JavaIoCreateNewFileAdvice"),
                        site("File.setReadable", "setReadable", takes(boolean.class, boolean.class),
                                "JavaIoReadableAdvice"),
                        site("File.setWritable", "setWritable", takes(boolean.class, boolean.class),
                                "JavaIoWritableAdvice"),
                        site("File.setExecutable", "setExecutable", takes(boolean.class, boolean.class),
                                "JavaIoExecutableAdvice"),
                        site("File.setReadOnly", "setReadOnly", takesArguments(0), "JavaIoReadOnlyAdvice"),
                        site("File.setLastModified", "setLastModified", takes(long.class),
                                "JavaIoLastModifiedAdvice")),
                HookTarget.jdk("java.io.File$TempDirectory",
                        site("File$TempDirectory.generateFile", "generateFile",
                                takes(String.class, String.class, File.class), "JavaIoTempFileAdvice")));
    }

    private HookSite dispatcher(String method, ElementMatcher.Junction<MethodDescription> shape, String advice) {
        return new HookSite("UnixNativeDispatcher." + method, method, isStatic().and(shape), advice(advice), true);
    }

    private HookSite site(String name, String method, ElementMatcher<? super MethodDescription> shape, String advice) {
        return new HookSite(name, method, shape, advice(advice), true);
    }

    /** Methods taking exactly these argument types, by the names the class file spells (for JDK-internal types). */
    private static ElementMatcher.Junction<MethodDescription> names(String... types) {
        ElementMatcher.Junction<MethodDescription> matcher = takesArguments(types.length);
        for (int i = 0; i < types.length; i++) {
            matcher = matcher.and(takesArgument(i, named(types[i])));
        }
        return matcher;
    }

    // ---- NIO names (UnixNativeDispatcher) ----

    static final class RenameAdvice {
        private RenameAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object from, @Advice.Argument(1) Object to) throws java.io.IOException {
            Hooks.fileChange(HookHandler.CHANGE_RENAME, HookHandler.AT_FDCWD, from, HookHandler.AT_FDCWD, to, -1, null);
        }
    }

    static final class RenameAtAdvice {
        private RenameAtAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) int fromFd, @Advice.Argument(1) byte[] from,
                          @Advice.Argument(2) int toFd, @Advice.Argument(3) byte[] to) throws java.io.IOException {
            Hooks.fileChange(HookHandler.CHANGE_RENAME, fromFd, from, toFd, to, -1, null);
        }
    }

    static final class LinkAdvice {
        private LinkAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object existing, @Advice.Argument(1) Object link)
                throws java.io.IOException {
            Hooks.fileChange(HookHandler.CHANGE_LINK, HookHandler.AT_FDCWD, existing, HookHandler.AT_FDCWD, link, -1,
                    null);
        }
    }

    static final class SymlinkAdvice {
        private SymlinkAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) byte[] target, @Advice.Argument(1) Object link)
                throws java.io.IOException {
            Hooks.fileChange(HookHandler.CHANGE_SYMLINK, HookHandler.AT_FDCWD, link, HookHandler.AT_FDCWD, target, -1,
                    null);
        }
    }

    static final class DeleteAdvice {
        private DeleteAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object path) throws java.io.IOException {
            Hooks.fileChange(HookHandler.CHANGE_DELETE, HookHandler.AT_FDCWD, path, HookHandler.AT_FDCWD, null, -1,
                    null);
        }
    }

    static final class DeleteAtAdvice {
        private DeleteAtAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) int directoryFd, @Advice.Argument(1) byte[] path)
                throws java.io.IOException {
            Hooks.fileUnlink(directoryFd, path);
        }
    }

    /**
     * The dispatcher's {@code unlink}: as {@link DeleteAdvice}, through {@link Hooks#fileUnlink}, which knows the one
     * caller that must not see a refusal as ours ({@code DELETE_ON_CLOSE}'s unlink right after its open).
     */
    static final class UnlinkAdvice {
        private UnlinkAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object path) throws java.io.IOException {
            Hooks.fileUnlink(HookHandler.AT_FDCWD, path);
        }
    }

    static final class CreateAdvice {
        private CreateAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object path) throws java.io.IOException {
            Hooks.fileChange(HookHandler.CHANGE_CREATE, HookHandler.AT_FDCWD, path, HookHandler.AT_FDCWD, null, -1,
                    null);
        }
    }

    // ---- NIO attribute views (the view itself is passed: the handler reads its file only inside a request) ----

    static final class TimesAdvice {
        private TimesAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object view) throws java.io.IOException {
            Hooks.fileChange(HookHandler.CHANGE_TIMES, HookHandler.AT_FDCWD, view, HookHandler.AT_FDCWD, null, -1,
                    null);
        }
    }

    static final class ModeAdvice {
        private ModeAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object view, @Advice.Argument(0) int mode) throws java.io.IOException {
            Hooks.fileChange(HookHandler.CHANGE_MODE, HookHandler.AT_FDCWD, view, HookHandler.AT_FDCWD, null, mode,
                    null);
        }
    }

    static final class PermissionsAdvice {
        private PermissionsAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object view, @Advice.Argument(0) Object permissions)
                throws java.io.IOException {
            Hooks.fileChange(HookHandler.CHANGE_MODE, HookHandler.AT_FDCWD, view, HookHandler.AT_FDCWD, permissions,
                    -1, null);
        }
    }

    static final class OwnerAdvice {
        private OwnerAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object view) throws java.io.IOException {
            Hooks.fileChange(HookHandler.CHANGE_OWNER, HookHandler.AT_FDCWD, view, HookHandler.AT_FDCWD, null, -1,
                    null);
        }
    }

    static final class XattrAdvice {
        private XattrAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object view, @Advice.Argument(0) String name) throws java.io.IOException {
            Hooks.fileChange(HookHandler.CHANGE_XATTR, HookHandler.AT_FDCWD, view, HookHandler.AT_FDCWD, name, -1,
                    null);
        }
    }

    static final class DosAttributeAdvice {
        private DosAttributeAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object view) throws java.io.IOException {
            Hooks.fileChange(HookHandler.CHANGE_XATTR, HookHandler.AT_FDCWD, view, HookHandler.AT_FDCWD, null, -1,
                    "xattr user.DOSATTRIB");
        }
    }

    // ---- java.io ----

    static final class JavaIoDeleteAdvice {
        private JavaIoDeleteAdvice() {
        }

        /** A refused delete skips the method, which then answers false, as on any failure. */
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.Argument(0) File file) {
            return Hooks.fileChangeRefused(HookHandler.CHANGE_DELETE, file, null, null);
        }
    }

    static final class JavaIoRenameAdvice {
        private JavaIoRenameAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.Argument(0) File from, @Advice.Argument(1) File to) {
            return Hooks.fileChangeRefused(HookHandler.CHANGE_RENAME, from, to, null);
        }
    }

    static final class JavaIoMkdirAdvice {
        private JavaIoMkdirAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This File directory) {
            return Hooks.fileChangeRefused(HookHandler.CHANGE_CREATE, directory, null, null);
        }
    }

    static final class JavaIoCreateNewFileAdvice {
        private JavaIoCreateNewFileAdvice() {
        }

        /** {@code createNewFile} declares {@code IOException}: a refusal is thrown (its false means "it exists"). */
        @Advice.OnMethodEnter
        static void enter(@Advice.This File file) throws java.io.IOException {
            Hooks.fileChange(HookHandler.CHANGE_CREATE, HookHandler.AT_FDCWD, file, HookHandler.AT_FDCWD, null, -1,
                    null);
        }
    }

    static final class JavaIoReadableAdvice {
        private JavaIoReadableAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This File file, @Advice.Argument(0) boolean on, @Advice.Argument(1) boolean owner) {
            return Hooks.fileChangeRefused(HookHandler.CHANGE_MODE, file, null,
                    on ? owner ? "mode u+r" : "mode a+r" : owner ? "mode u-r" : "mode a-r");
        }
    }

    static final class JavaIoWritableAdvice {
        private JavaIoWritableAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This File file, @Advice.Argument(0) boolean on, @Advice.Argument(1) boolean owner) {
            return Hooks.fileChangeRefused(HookHandler.CHANGE_MODE, file, null,
                    on ? owner ? "mode u+w" : "mode a+w" : owner ? "mode u-w" : "mode a-w");
        }
    }

    static final class JavaIoExecutableAdvice {
        private JavaIoExecutableAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This File file, @Advice.Argument(0) boolean on, @Advice.Argument(1) boolean owner) {
            return Hooks.fileChangeRefused(HookHandler.CHANGE_MODE, file, null,
                    on ? owner ? "mode u+x" : "mode a+x" : owner ? "mode u-x" : "mode a-x");
        }
    }

    static final class JavaIoReadOnlyAdvice {
        private JavaIoReadOnlyAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This File file) {
            return Hooks.fileChangeRefused(HookHandler.CHANGE_MODE, file, null, "mode a-w");
        }
    }

    static final class JavaIoLastModifiedAdvice {
        private JavaIoLastModifiedAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This File file) {
            return Hooks.fileChangeRefused(HookHandler.CHANGE_TIMES, file, null, null);
        }
    }

    static final class JavaIoTempFileAdvice {
        private JavaIoTempFileAdvice() {
        }

        /** The name {@code File.createTempFile} is about to create, judged before it exists. */
        @Advice.OnMethodExit
        static void exit(@Advice.Return File file) throws java.io.IOException {
            Hooks.fileChange(HookHandler.CHANGE_CREATE, HookHandler.AT_FDCWD, file, HookHandler.AT_FDCWD, null, -1,
                    null);
        }
    }
}
