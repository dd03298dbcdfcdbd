package dev.hostguard.agent;

import dev.hostguard.agent.bootstrap.HookHandler;
import dev.hostguard.agent.path.PathResolver;
import dev.hostguard.agent.path.ResolvedPath;
import dev.hostguard.agent.policy.Action;
import dev.hostguard.agent.policy.FileAccess;
import dev.hostguard.agent.policy.Operation;
import dev.hostguard.agent.policy.PathRules;
import dev.hostguard.agent.policy.Rule;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A change of the file system other than an open, as the rules see it: each path it touches resolved as the kernel
 * will act on it, and matched. One judged path is one {@link Operation}: a rename judges its source and its target,
 * a hard link its existing file and its new name (at most two findings; the caller judges them in order, so the
 * first refusal stops the change).
 *
 * <ul>
 *   <li>Names (a rename's, a link's, a delete's, a create's): the name itself, not what a symbolic link there points
 *       to ({@link PathResolver#resolveEntryAt}): {@code unlink}, {@code rename}, {@code link} and {@code mkdir}
 *       act on the link. Created, removed or replaced names are {@code write}s; a rename's source and a hard link's
 *       existing file are judged as {@code write} and, when no rule protects their writes, as {@code read}: moving a
 *       protected file out, or linking to it, reads it (a rule that protects only reads, as the service-account
 *       token's, refuses that too).</li>
 *   <li>Attributes (mode, owner, times, extended attributes): {@code change} of the file the JDK acts on, a link's
 *       target unless the caller asked for {@code NOFOLLOW_LINKS}.</li>
 * </ul>
 */
final class FileChanges {
    private FileChanges() {
    }

    /** The findings of one change, in the order to judge them; empty when no rule matches. */
    static List<Operation> findings(PathResolver paths, PathRules rules, int operation, int directoryFd, Object path,
                                    int otherFd, Object other, int mode, String detail) {
        List<Operation> findings = new ArrayList<>(2);
        switch (operation) {
            case HookHandler.CHANGE_RENAME, HookHandler.CHANGE_LINK -> {
                Action action = operation == HookHandler.CHANGE_RENAME ? Action.FILE_RENAME : Action.FILE_LINK;
                ResolvedPath from = paths.resolveEntryAt(directoryFd, text(path));
                ResolvedPath to = paths.resolveEntryAt(otherFd, text(other));
                FileAccess access = FileAccess.WRITE;
                Rule rule = rules.match(FileAccess.WRITE, from);
                if (rule == null) {
                    access = FileAccess.READ;
                    rule = rules.match(FileAccess.READ, from);
                }
                if (rule != null) {
                    findings.add(Operation.fileChange(action, access, from, to.canonical(), null, rule));
                }
                name(findings, rules, action, to, from.canonical());
            }
            case HookHandler.CHANGE_SYMLINK ->
                    name(findings, rules, Action.FILE_SYMLINK, paths.resolveEntryAt(directoryFd, text(path)),
                            text(other));
            case HookHandler.CHANGE_DELETE ->
                    name(findings, rules, Action.FILE_DELETE, paths.resolveEntryAt(directoryFd, text(path)), null);
            case HookHandler.CHANGE_CREATE ->
                    name(findings, rules, Action.FILE_CREATE, paths.resolveEntryAt(directoryFd, text(path)), null);
            case HookHandler.CHANGE_MODE, HookHandler.CHANGE_OWNER, HookHandler.CHANGE_TIMES,
                    HookHandler.CHANGE_XATTR -> {
                ResolvedPath changed = attributesOf(paths, directoryFd, path);
                if (changed != null) {
                    Rule rule = rules.match(FileAccess.CHANGE, changed);
                    if (rule != null) {
                        findings.add(Operation.fileChange(Action.FILE_ATTRIBUTES, FileAccess.CHANGE, changed, null,
                                change(operation, other, mode, detail), rule));
                    }
                }
            }
            default -> {
                // an operation this version does not know: nothing to judge
            }
        }
        return findings;
    }

    /** A name created, removed or replaced: a write of it. */
    private static void name(List<Operation> findings, PathRules rules, Action action, ResolvedPath name,
                             String otherPath) {
        Rule rule = rules.match(FileAccess.WRITE, name);
        if (rule != null) {
            findings.add(Operation.fileChange(action, FileAccess.WRITE, name, otherPath, null, rule));
        }
    }

    /** The file whose attributes change: a view's (as it follows links or not), or a java.io path (followed). */
    private static ResolvedPath attributesOf(PathResolver paths, int directoryFd, Object path) {
        if (path instanceof String || path instanceof java.io.File || path instanceof byte[]) {
            return paths.resolveAt(directoryFd, text(path));
        }
        FileViews.Target target = FileViews.target(path);
        if (target == null) {
            return null;
        }
        return target.followLinks() ? paths.resolveAt(target.directoryFd(), target.path())
                : paths.resolveEntryAt(target.directoryFd(), target.path());
    }

    /** What an attribute change changes, as events name it: {@code mode 4755}, {@code owner}, {@code times}, ... */
    static String change(int operation, Object other, int mode, String detail) {
        if (detail != null) {
            return detail;
        }
        return switch (operation) {
            case HookHandler.CHANGE_MODE -> {
                int bits = mode >= 0 ? mode : other instanceof Collection<?> permissions ? modeOf(permissions) : -1;
                yield bits < 0 ? "mode" : "mode " + Integer.toOctalString(bits & 07777);
            }
            case HookHandler.CHANGE_OWNER -> "owner";
            case HookHandler.CHANGE_TIMES -> "times";
            default -> other == null ? "xattr" : "xattr " + text(other);
        };
    }

    /** The mode bits of a set of POSIX permissions ({@code SecureDirectoryStream}'s view takes the set). */
    static int modeOf(Collection<?> permissions) {
        int mode = 0;
        for (Object p : permissions) {
            if (p instanceof PosixFilePermission permission) {
                mode |= switch (permission) {
                    case OWNER_READ -> 0400;
                    case OWNER_WRITE -> 0200;
                    case OWNER_EXECUTE -> 0100;
                    case GROUP_READ -> 040;
                    case GROUP_WRITE -> 020;
                    case GROUP_EXECUTE -> 010;
                    case OTHERS_READ -> 04;
                    case OTHERS_WRITE -> 02;
                    case OTHERS_EXECUTE -> 01;
                };
            }
        }
        return mode;
    }

    /** A path as the JDK holds it: a String, a {@code File}, an {@code *at} call's bytes, a NIO {@code UnixPath}. */
    static String text(Object path) {
        if (path == null) {
            return "";
        }
        if (path instanceof byte[] bytes) {
            int end = 0;
            while (end < bytes.length && bytes[end] != 0) {
                end++;
            }
            return new String(bytes, 0, end, StandardCharsets.UTF_8);
        }
        return path instanceof java.io.File file ? file.getPath() : path.toString();
    }
}
