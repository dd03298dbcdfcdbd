package dev.hostguard.agent.event;

import java.util.List;

/**
 * The few stack frames of the application that led to an operation: the JDK, the servlet containers and
 * HostGuard itself are left out. Walked only after a finding, never on the allowed path.
 */
public final class ApplicationFrames {
    /** The default depth; a policy's {@code events.stack-depth} sets its own. */
    public static final int DEFAULT_DEPTH = dev.hostguard.agent.policy.EventSettings.DEFAULT_STACK_DEPTH;
    private static final List<String> NOT_APPLICATION = List.of(
            "java.", "javax.", "jdk.", "sun.", "com.sun.", "jakarta.", "dev.hostguard.agent.",
            "org.eclipse.jetty.", "org.apache.catalina.", "org.apache.coyote.", "org.apache.tomcat.");

    private ApplicationFrames() {
    }

    public static List<String> capture() {
        return capture(DEFAULT_DEPTH);
    }

    /** At most {@code depth} frames, innermost first. */
    public static List<String> capture(int depth) {
        if (depth == 0) {
            return List.of();
        }
        return StackWalker.getInstance().walk(frames -> frames
                .filter(f -> NOT_APPLICATION.stream().noneMatch(f.getClassName()::startsWith))
                .limit(depth)
                .map(f -> f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":"
                        + f.getLineNumber() + ")")
                .toList());
    }
}
