package dev.hostguard.agent;

import java.io.FileDescriptor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import jdk.internal.misc.Unsafe;

/**
 * What an open descriptor of this process is, asked of the kernel after the open (race-free: the descriptor is the
 * file, whatever its name meant a moment before): its path ({@code readlink} of {@code /proc/<pid>/fd/<n>}) and its
 * identity ({@code fstat}: device, inode, link count, type).
 *
 * <p>Calls the JDK's own natives ({@code sun.nio.fs.UnixNativeDispatcher.readlink0} and {@code fstat}, opened to the
 * agent at start-up by {@link BootstrapInjector}) through method handles: one system call each, no {@code Path}, no
 * {@code UnixPath}, no exception on the way. The link's name is written into memory of our own ({@code malloc}ed
 * and freed around the call, the JDK's internal {@code Unsafe}), the attributes into one reused
 * {@code UnixFileAttributes} per thread. Same natives on JDK 17 and 25. Compiled in the internal-API pass of
 * {@code agent/pom.xml}, as {@link FileViews}.
 *
 * <p>{@link #available()} is false when any of that is missing (another JDK's shapes, no {@code /proc}): the
 * caller then judges the path before the open, as it always did.
 */
final class OpenDescriptors {
    /**
     * {@code /proc/<pid>/fd/}: this process's descriptors by its pid, not through {@code /proc/self}, whose link the
     * kernel would resolve on every call first (measured: 2.45 against 2.8 µs a {@code readlink} on this machine).
     * The pid is what {@code /proc/self} names, read once through the same {@code readlink}: no
     * {@code ProcessHandle}, whose implementation loads some 15 classes of process machinery into a service that
     * may never start a process.
     */
    private static final byte[] PREFIX;
    /** Linux {@code S_IFMT} and {@code S_IFREG}. */
    static final int S_IFMT = 0xF000;
    static final int S_IFREG = 0x8000;

    private static final Unsafe UNSAFE;
    private static final MethodHandle READLINK;
    private static final MethodHandle FSTAT;
    private static final MethodHandle CLOSE;
    private static final MethodHandle NEW_ATTRIBUTES;
    private static final long FD_FIELD;
    private static final long MODE;
    private static final long INO;
    private static final long DEV;
    private static final long NLINK;
    /** One {@code UnixFileAttributes} per thread, filled by each {@code fstat}. */
    private static final ThreadLocal<Object> ATTRIBUTES = new ThreadLocal<>();

    static {
        Unsafe unsafe = null;
        MethodHandle readlink = null;
        MethodHandle fstat = null;
        MethodHandle close = null;
        MethodHandle newAttributes = null;
        long fd = -1;
        long mode = -1;
        long ino = -1;
        long dev = -1;
        long nlink = -1;
        byte[] prefix = null;
        try {
            Class<?> dispatcher = Class.forName("sun.nio.fs.UnixNativeDispatcher", false, null);
            Class<?> attributes = Class.forName("sun.nio.fs.UnixFileAttributes", false, null);
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(dispatcher, MethodHandles.lookup());
            readlink = lookup.findStatic(dispatcher, "readlink0", MethodType.methodType(byte[].class, long.class));
            fstat = lookup.findStatic(dispatcher, "fstat", MethodType.methodType(void.class, int.class, attributes))
                    .asType(MethodType.methodType(void.class, int.class, Object.class));
            close = lookup.findStatic(dispatcher, "close", MethodType.methodType(void.class, int.class));
            newAttributes = MethodHandles.privateLookupIn(attributes, MethodHandles.lookup())
                    .findConstructor(attributes, MethodType.methodType(void.class))
                    .asType(MethodType.methodType(Object.class));
            unsafe = Unsafe.getUnsafe();
            fd = unsafe.objectFieldOffset(FileDescriptor.class, "fd");
            mode = unsafe.objectFieldOffset(attributes, "st_mode");
            ino = unsafe.objectFieldOffset(attributes, "st_ino");
            dev = unsafe.objectFieldOffset(attributes, "st_dev");
            nlink = unsafe.objectFieldOffset(attributes, "st_nlink");
            prefix = descriptorsDirectory(unsafe, readlink); // throws without /proc: no descriptor's name to read
        } catch (Throwable notAvailable) { // another JDK's shapes, sun.nio.fs not opened to us, or no /proc
            unsafe = null;
        }
        PREFIX = prefix;
        UNSAFE = unsafe;
        READLINK = readlink;
        FSTAT = fstat;
        CLOSE = close;
        NEW_ATTRIBUTES = newAttributes;
        FD_FIELD = fd;
        MODE = mode;
        INO = ino;
        DEV = dev;
        NLINK = nlink;
    }

    /** {@code /proc/<pid>/fd/} as bytes, the pid read from the {@code /proc/self} link. */
    private static byte[] descriptorsDirectory(Unsafe unsafe, MethodHandle readlink) throws Throwable {
        byte[] self = {'/', 'p', 'r', 'o', 'c', '/', 's', 'e', 'l', 'f', 0};
        long buffer = unsafe.allocateMemory(self.length);
        byte[] pid;
        try {
            for (int i = 0; i < self.length; i++) {
                unsafe.putByte(buffer + i, self[i]); // no ARRAY_BYTE_BASE_OFFSET: an int on 17, a long on 25
            }
            pid = (byte[]) readlink.invokeExact(buffer);
        } finally {
            unsafe.freeMemory(buffer);
        }
        boolean digits = pid.length > 0;
        for (byte digit : pid) {
            digits &= digit >= '0' && digit <= '9';
        }
        if (!digits) {
            throw new IllegalStateException("/proc/self names no pid"); // not a Linux /proc
        }
        byte[] proc = {'/', 'p', 'r', 'o', 'c', '/'};
        byte[] fd = {'/', 'f', 'd', '/'};
        byte[] prefix = java.util.Arrays.copyOf(proc, proc.length + pid.length + fd.length);
        System.arraycopy(pid, 0, prefix, proc.length, pid.length);
        System.arraycopy(fd, 0, prefix, proc.length + pid.length, fd.length);
        return prefix;
    }

    /** What {@link #identify} read: the file's device, inode, link count and mode. */
    record Identity(long dev, long ino, int nlink, int mode) {
        boolean regularFile() {
            return (mode & S_IFMT) == S_IFREG;
        }
    }

    private OpenDescriptors() {
    }

    /** Whether descriptors can be read here (see the class comment); when false every method returns "unknown". */
    static boolean available() {
        return UNSAFE != null;
    }

    /** The number inside a java.io {@code FileDescriptor}; -1 when unknown. */
    static int number(FileDescriptor descriptor) {
        return UNSAFE == null || descriptor == null ? -1 : UNSAFE.getInt(descriptor, FD_FIELD);
    }

    /**
     * The path the kernel opened for {@code fd}, as {@code /proc/self/fd/<fd>} names it: the file's canonical path
     * (links resolved, the way it was really reached: {@code /proc/<pid>/environ} for {@code /proc/self/environ});
     * for a file removed since, the path it had, without the kernel's {@code " (deleted)"}; {@code pipe:[..]} and
     * the like for what has no path. {@code null} when it cannot be read.
     */
    static String path(int fd) {
        if (UNSAFE == null || fd < 0) {
            return null;
        }
        long buffer = UNSAFE.allocateMemory(PREFIX.length + 12);
        try {
            int at = 0;
            for (byte b : PREFIX) {
                UNSAFE.putByte(buffer + at++, b);
            }
            at = writeDigits(buffer, at, fd);
            UNSAFE.putByte(buffer + at, (byte) 0);
            byte[] target = (byte[]) READLINK.invokeExact(buffer);
            int length = target.length;
            if (length > 10 && endsWithDeleted(target)) {
                length -= 10;
            }
            return new String(target, 0, length, java.nio.charset.StandardCharsets.UTF_8);
        } catch (Throwable unreadable) {
            return null;
        } finally {
            UNSAFE.freeMemory(buffer);
        }
    }

    /** What {@code fstat} says of {@code fd}; {@code null} when it cannot be read. */
    static Identity identify(int fd) {
        Object attributes = stat(fd);
        return attributes == null ? null : identity(attributes);
    }

    /**
     * What {@code fstat} says of {@code fd} when it is a regular file with more than one name, else {@code null} (also
     * when it cannot be read): the only case in which a hard link could make it another, protected, file. One
     * {@code fstat}; allocates only for such a file.
     */
    static Identity linkedRegularFile(int fd) {
        Object attributes = stat(fd);
        if (attributes == null || UNSAFE.getInt(attributes, NLINK) < 2
                || (UNSAFE.getInt(attributes, MODE) & S_IFMT) != S_IFREG) {
            return null;
        }
        return identity(attributes);
    }

    /** {@code fstat} of {@code fd} into this thread's reused attributes; {@code null} when it cannot be read. */
    private static Object stat(int fd) {
        if (UNSAFE == null || fd < 0) {
            return null;
        }
        try {
            Object attributes = ATTRIBUTES.get();
            if (attributes == null) {
                attributes = (Object) NEW_ATTRIBUTES.invokeExact();
                ATTRIBUTES.set(attributes);
            }
            FSTAT.invokeExact(fd, attributes);
            return attributes;
        } catch (Throwable unreadable) {
            return null;
        }
    }

    private static Identity identity(Object attributes) {
        return new Identity(UNSAFE.getLong(attributes, DEV), UNSAFE.getLong(attributes, INO),
                UNSAFE.getInt(attributes, NLINK), UNSAFE.getInt(attributes, MODE));
    }

    /** Closes {@code fd} (an NIO open refused after it happened). Never throws. */
    static void close(int fd) {
        if (CLOSE == null || fd < 0) {
            return;
        }
        try {
            CLOSE.invokeExact(fd);
        } catch (Throwable ignored) {
            // JDK 25's close throws on EIO: the descriptor is released all the same
        }
    }

    private static int writeDigits(long buffer, int at, int value) {
        int digits = 1;
        for (int v = value; v >= 10; v /= 10) {
            digits++;
        }
        for (int i = digits - 1, v = value; i >= 0; i--, v /= 10) {
            UNSAFE.putByte(buffer + at + i, (byte) ('0' + v % 10));
        }
        return at + digits;
    }

    private static boolean endsWithDeleted(byte[] target) {
        byte[] suffix = DELETED;
        int from = target.length - suffix.length;
        for (int i = 0; i < suffix.length; i++) {
            if (target[from + i] != suffix[i]) {
                return false;
            }
        }
        return true;
    }

    private static final byte[] DELETED = " (deleted)".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
}
