package dev.hostguard.agent.context;

import java.util.List;

/**
 * Tells an access the JDK makes for itself from one the application asked for. The JDK's container support
 * ({@code jdk.internal.platform}) reads {@code /proc/self/mountinfo} and the cgroup files the first time a
 * metrics endpoint asks {@code OperatingSystemMXBean} for memory or CPU figures: that read matches the recon
 * rule, yet no application code chose the path. Looked at only after a rule matched, never on the allowed path.
 */
public final class JdkInternalCaller {
    /** The JDK's I/O machinery between the hooked method and whoever asked for the access. */
    private static final List<String> IO_MACHINERY = List.of("java.io.", "java.nio.", "sun.nio.", "java.util.",
            "java.lang.", "java.security.", "jdk.internal.misc.", "jdk.internal.util.", "dev.hostguard.agent.");
    private static final List<String> JDK_OWN_READERS = List.of("jdk.internal.platform.");

    private JdkInternalCaller() {
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
