package dev.hostguard.agent.path;

/**
 * How {@code /proc} names processes and threads. {@code /proc/self} is {@code /proc/<pid>},
 * {@code /proc/thread-self} is {@code /proc/<pid>/task/<tid>}, and a thread's directory holds the same files as
 * its process's: rules treat all of them as one process directory. Works on regions of a longer string so the
 * matcher can ask without cutting a component out.
 */
public final class ProcNames {
    private ProcNames() {
    }

    /** True when {@code s[from, to)} names a process directory below {@code /proc}: digits, {@code self} or {@code thread-self}. */
    public static boolean isProcessName(String s, int from, int to) {
        int length = to - from;
        return isDigits(s, from, to)
                || length == 4 && s.startsWith("self", from)
                || length == 11 && s.startsWith("thread-self", from);
    }

    /** True when {@code s[from, to)} is one or more ASCII digits. */
    public static boolean isDigits(String s, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * True when {@code directory} (absolute, normalised) is a process or thread directory:
     * {@code /proc/<pid>} or {@code /proc/<pid>/task/<tid>}, {@code self} and {@code thread-self} included.
     */
    static boolean isProcessDirectory(String directory) {
        if (!directory.startsWith("/proc/")) {
            return false;
        }
        int from = 6;
        int end = componentEnd(directory, from);
        if (!isProcessName(directory, from, end)) {
            return false;
        }
        if (end == directory.length()) {
            return true;
        }
        int taskEnd = componentEnd(directory, end + 1);
        if (taskEnd - end - 1 != 4 || !directory.startsWith("task", end + 1) || taskEnd == directory.length()) {
            return false;
        }
        return componentEnd(directory, taskEnd + 1) == directory.length()
                && isDigits(directory, taskEnd + 1, directory.length());
    }

    private static int componentEnd(String s, int from) {
        int slash = s.indexOf('/', from);
        return slash < 0 ? s.length() : slash;
    }
}
