package dev.hostguard.agent;

import jdk.internal.misc.Unsafe;

/**
 * Which file an NIO attribute view changes: its {@code file} and whether it follows links ({@code followLinks}),
 * and for a {@code SecureDirectoryStream}'s view the directory its name is relative to. The views keep these in
 * private fields of {@code sun.nio.fs}; they are read here with the JDK's internal {@code Unsafe} (exported to the
 * agent at start-up, as for {@link InetAddressFields}), only after a change inside a guarded request, so the advice
 * passes the view itself ({@code @Advice.This}) and nothing is read on any other path. Same fields on JDK 17 and 25.
 */
final class FileViews {
    /** Linux {@code AT_FDCWD}: a path relative to the working directory (compiled apart: no agent class here). */
    static final int AT_FDCWD = -100;
    private static final String PACKAGE = "sun.nio.fs.";
    private static final Unsafe UNSAFE;
    /** {@code UnixFileAttributeViews$Basic} (and its Posix, Unix and Linux DOS subclasses). */
    private static final Class<?> BASIC;
    private static final long BASIC_FILE;
    private static final long BASIC_FOLLOW;
    /** {@code UnixUserDefinedFileAttributeView} (Linux's subclass). */
    private static final Class<?> USER_DEFINED;
    private static final long USER_DEFINED_FILE;
    private static final long USER_DEFINED_FOLLOW;
    /** {@code UnixSecureDirectoryStream$BasicFileAttributeViewImpl} (and its Posix subclass). */
    private static final Class<?> SECURE;
    private static final long SECURE_FILE;
    private static final long SECURE_FOLLOW;
    private static final long SECURE_STREAM;
    private static final long STREAM_DFD;

    static {
        Unsafe unsafe = null;
        Class<?> basic = null;
        Class<?> userDefined = null;
        Class<?> secure = null;
        long basicFile = -1;
        long basicFollow = -1;
        long userFile = -1;
        long userFollow = -1;
        long secureFile = -1;
        long secureFollow = -1;
        long secureStream = -1;
        long dfd = -1;
        try {
            unsafe = Unsafe.getUnsafe();
            basic = Class.forName(PACKAGE + "UnixFileAttributeViews$Basic", false, null);
            basicFile = unsafe.objectFieldOffset(basic, "file");
            basicFollow = unsafe.objectFieldOffset(basic, "followLinks");
            userDefined = Class.forName(PACKAGE + "UnixUserDefinedFileAttributeView", false, null);
            userFile = unsafe.objectFieldOffset(userDefined, "file");
            userFollow = unsafe.objectFieldOffset(userDefined, "followLinks");
            secure = Class.forName(PACKAGE + "UnixSecureDirectoryStream$BasicFileAttributeViewImpl", false, null);
            secureFile = unsafe.objectFieldOffset(secure, "file");
            secureFollow = unsafe.objectFieldOffset(secure, "followLinks");
            secureStream = unsafe.objectFieldOffset(secure, "this$0");
            dfd = unsafe.objectFieldOffset(Class.forName(PACKAGE + "UnixSecureDirectoryStream", false, null), "dfd");
        } catch (Throwable notAvailable) { // another JDK's shapes, or no export: views are judged by nothing
            unsafe = null;
        }
        UNSAFE = unsafe;
        BASIC = basic;
        BASIC_FILE = basicFile;
        BASIC_FOLLOW = basicFollow;
        USER_DEFINED = userDefined;
        USER_DEFINED_FILE = userFile;
        USER_DEFINED_FOLLOW = userFollow;
        SECURE = secure;
        SECURE_FILE = secureFile;
        SECURE_FOLLOW = secureFollow;
        SECURE_STREAM = secureStream;
        STREAM_DFD = dfd;
    }

    /**
     * The file a view changes.
     *
     * @param directoryFd the directory {@code path} is relative to ({@link #AT_FDCWD} but for a
     *                    {@code SecureDirectoryStream}'s view)
     * @param path the file as the view names it ({@code ""}: the directory itself)
     * @param followLinks whether the change acts on a link's target (else on the link)
     */
    record Target(int directoryFd, String path, boolean followLinks) {
    }

    private FileViews() {
    }

    /** Whether {@code view} is one of the JDK's attribute views this class reads. */
    static boolean isView(Object view) {
        return UNSAFE != null && (BASIC.isInstance(view) || USER_DEFINED.isInstance(view) || SECURE.isInstance(view));
    }

    /** The file {@code view} changes; {@code null} when it is no view this class knows. */
    static Target target(Object view) {
        if (UNSAFE == null || view == null) {
            return null;
        }
        if (BASIC.isInstance(view)) {
            return new Target(AT_FDCWD, String.valueOf(UNSAFE.getReference(view, BASIC_FILE)),
                    UNSAFE.getBoolean(view, BASIC_FOLLOW));
        }
        if (USER_DEFINED.isInstance(view)) {
            return new Target(AT_FDCWD, String.valueOf(UNSAFE.getReference(view, USER_DEFINED_FILE)),
                    UNSAFE.getBoolean(view, USER_DEFINED_FOLLOW));
        }
        if (SECURE.isInstance(view)) {
            Object file = UNSAFE.getReference(view, SECURE_FILE); // null: the stream's directory itself
            Object stream = UNSAFE.getReference(view, SECURE_STREAM);
            int dfd = stream == null ? AT_FDCWD : UNSAFE.getInt(stream, STREAM_DFD);
            return new Target(dfd, file == null ? "" : file.toString(), UNSAFE.getBoolean(view, SECURE_FOLLOW));
        }
        return null;
    }
}
