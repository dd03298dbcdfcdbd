package dev.hostguard.agent.config;

import dev.hostguard.agent.policy.Action;
import dev.hostguard.agent.policy.FileAccess;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The accesses an allow entry for a file change ({@code file-rename}, {@code file-link}, ...) may name, and those it
 * allows when it names none: every access that operation is judged as. A rename's source and a hard link's existing
 * file are judged as {@code read} or {@code write} (whichever rule matched), every new or removed name as
 * {@code write}, an attribute change as {@code change}.
 */
final class FileChangeEntries {
    private FileChangeEntries() {
    }

    /** The accesses {@code operation} is judged as: what an entry without {@code access} allows. */
    static Set<FileAccess> accesses(Action operation) {
        return switch (operation) {
            case FILE_RENAME, FILE_LINK -> EnumSet.of(FileAccess.READ, FileAccess.WRITE);
            case FILE_ATTRIBUTES -> EnumSet.of(FileAccess.CHANGE);
            default -> EnumSet.of(FileAccess.WRITE);
        };
    }

    /** The labels an entry's {@code access} may name for {@code operation}. */
    static List<String> accessLabels(Action operation) {
        return accesses(operation).stream().map(FileAccess::label).toList();
    }
}
