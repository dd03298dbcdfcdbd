package dev.hostguard.it;

import java.util.List;
import java.util.Set;

/** The 13 ways {@code dev.hostguard.demo.Actions} starts a process ({@code api=} of the exec routes). */
public final class ExecShapes {
    public static final List<String> ALL = List.of(
            "exec-string", "exec-string-env", "exec-string-env-dir",
            "exec-array", "exec-array-env", "exec-array-env-dir",
            "process-builder", "pipeline", "reflection", "method-handle", "event-handler",
            "processimpl-start", "processimpl-constructor");

    /** Shapes whose JDK call takes no working directory: the process runs in the server's own. */
    private static final Set<String> WITHOUT_DIRECTORY =
            Set.of("exec-string", "exec-string-env", "exec-array", "exec-array-env");

    private ExecShapes() {
    }

    /** Whether the shape passes the request's {@code dir=} to the process. */
    public static boolean usesDirectory(String shape) {
        return !WITHOUT_DIRECTORY.contains(shape);
    }

    /** {@code pipeline} starts the command, then {@code cat} reading its output. */
    public static boolean startsCatAfterwards(String shape) {
        return shape.equals("pipeline");
    }
}
