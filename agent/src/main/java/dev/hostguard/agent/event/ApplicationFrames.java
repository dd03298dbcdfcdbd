package dev.hostguard.agent.event;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

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
        return StackWalker.getInstance().walk(new FirstOfApplication(depth));
    }

    /** A class, not lambdas: each lambda costs a generated class when the warm-up first runs this at start-up. */
    private static final class FirstOfApplication implements Function<Stream<StackWalker.StackFrame>, List<String>> {
        private final int depth;

        FirstOfApplication(int depth) {
            this.depth = depth;
        }

        @Override
        public List<String> apply(Stream<StackWalker.StackFrame> frames) {
            List<String> found = new ArrayList<>(depth);
            for (Iterator<StackWalker.StackFrame> it = frames.iterator(); it.hasNext() && found.size() < depth; ) {
                StackWalker.StackFrame f = it.next();
                if (isApplication(f.getClassName())) {
                    found.add(f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":"
                            + f.getLineNumber() + ")");
                }
            }
            return List.copyOf(found);
        }

        private static boolean isApplication(String className) {
            for (String prefix : NOT_APPLICATION) {
                if (className.startsWith(prefix)) {
                    return false;
                }
            }
            return true;
        }
    }
}
