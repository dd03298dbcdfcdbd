package dev.hostguard.agent.context;

import java.util.List;

/**
 * Tells an access the JDK makes for itself from one the application asked for. The JDK's container support
 * ({@code jdk.internal.platform}) reads {@code /proc/self/mountinfo} and the cgroup files the first time a
 * metrics endpoint asks {@code OperatingSystemMXBean} for memory or CPU figures: that read matches the recon
 * rule, yet no application code chose the path. Looked at only after a rule matched, never on the allowed path,
 * and only for a file that code reads ({@link #mayRead}): the stack walk is the largest part of a refusal's own
 * cost when the events are rate-limited, and a refused {@code /proc/self/environ} read paid it for nothing.
 */
public final class JdkInternalCaller {
    /** The JDK's I/O machinery between the hooked method and whoever asked for the access. */
    private static final List<String> IO_MACHINERY = List.of("java.io.", "java.nio.", "sun.nio.", "java.util.",
            "java.lang.", "java.security.", "jdk.internal.misc.", "jdk.internal.util.", "dev.hostguard.agent.");
    private static final List<String> JDK_OWN_READERS = List.of("jdk.internal.platform.");

    private JdkInternalCaller() {
    }

    /**
     * Whether the JDK's container support reads files such as this one ({@code path} canonical or absolute):
     * {@code /proc/cgroups}, a process's {@code cgroup} and {@code mountinfo}, and the cgroup controllers' files
     * (anything under {@code /sys}: their mount points, taken from mountinfo, are under {@code /sys/fs/cgroup}).
     * A cgroup file system mounted elsewhere that a policy's own rule names is judged as the application's read.
     */
    public static boolean mayRead(String path) {
        return path != null && (path.startsWith("/sys/") || path.startsWith("/proc/")
                && (path.endsWith("/mountinfo") || path.endsWith("/cgroup") || path.equals("/proc/cgroups")));
    }

    /** {@link #mayRead} of either form of a path. */
    public static boolean mayRead(String absolute, String canonical) {
        return mayRead(canonical) || mayRead(absolute);
    }

    /** Whether the first caller above the JDK's I/O classes is one of the JDK's own readers. */
    public static boolean initiatedThisAccess() {
        return StackWalker.getInstance().walk(frames -> frames
                .map(StackWalker.StackFrame::getClassName)
                .filter(name -> IO_MACHINERY.stream().noneMatch(name::startsWith))
                .findFirst()
                .map(name -> JDK_OWN_READERS.stream().anyMatch(name::startsWith))
                .orElse(false));
    }
}
