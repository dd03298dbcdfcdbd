package dev.hostguard.it;

import java.util.ArrayList;
import java.util.List;

/**
 * The ways {@code dev.hostguard.demo.Actions} opens, lists or connects to a path ({@code api=} of the file routes),
 * by what they do and which event they must produce.
 */
public final class FileShapes {

    /** What a shape does to its path, and the event fields that says. */
    public enum Kind {
        READ("file-open", "read", "read"),
        WRITE("file-open", "write", "written"),
        LIST("directory-list", "list", "listed"),
        CONNECT("unix-connect", "connect", "connected");

        private final String action;
        private final String access;
        private final String done;

        Kind(String action, String access, String done) {
            this.action = action;
            this.access = access;
            this.done = done;
        }

        /** {@code event.action}. */
        public String action() {
            return action;
        }

        /** {@code hostguard.access}. */
        public String access() {
            return access;
        }

        /** For test names: "read", "written", "listed", "connected". */
        public String done() {
            return done;
        }
    }

    public static final List<String> READS = List.of(
            "file-input-stream", "file-reader", "random-access-read", "files-read-all-bytes", "files-new-input-stream",
            "files-lines", "file-channel-read", "async-file-channel-read", "file-url-stream", "files-copy",
            "secure-directory-read");
    public static final List<String> WRITES = List.of(
            "file-output-stream", "file-writer", "random-access-write", "files-write", "file-channel-write");
    public static final List<String> LISTS = List.of(
            "file-list", "file-list-files", "files-list", "files-new-directory-stream", "files-walk",
            "secure-directory-stream");
    public static final List<String> CONNECTS = List.of("unix-connect");

    public static final List<String> ALL = concat(READS, WRITES, LISTS, CONNECTS);

    private FileShapes() {
    }

    public static List<String> of(Kind kind) {
        return switch (kind) {
            case READ -> READS;
            case WRITE -> WRITES;
            case LIST -> LISTS;
            case CONNECT -> CONNECTS;
        };
    }

    /**
     * The {@code secure-directory-*} shapes open the path's parent as a directory stream first (itself a listing)
     * and then the last name relative to it ({@code openat}).
     */
    public static boolean opensParentFirst(String shape) {
        return shape.startsWith("secure-directory-");
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        List<String> all = new ArrayList<>();
        for (List<String> list : lists) {
            all.addAll(list);
        }
        return List.copyOf(all);
    }
}
