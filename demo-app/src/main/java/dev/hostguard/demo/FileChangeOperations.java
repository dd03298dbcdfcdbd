package dev.hostguard.demo;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Map;

/**
 * The helpers behind the file-change actions of {@link Actions}: each JDK way to rename, link, delete, create or
 * change the attributes of a path without opening it. Parameters: {@code path} (the path changed: moved, deleted,
 * created, the new name of a link), {@code target} (a move's destination, a link's existing file, a symbolic link's
 * target), {@code mode} (octal, for {@code files-set-mode}), {@code group} (a group name, for
 * {@code files-set-group}). NIO failures (including a guard's refusal) are thrown unchanged; a java.io method's
 * {@code false} (any failure, a guard's refusal included) is thrown as an {@code IOException}, as a careful caller
 * does, so that the request fails rather than answering success.
 */
final class FileChangeOperations {
    /** What {@code files-set-mode} sets when the request has no {@code mode}: set-uid and 0755. */
    static final String DEFAULT_MODE = "4755";

    private FileChangeOperations() {
    }

    private static Path path(Map<String, String> p) {
        return Path.of(Actions.required(p, "path"));
    }

    private static Path target(Map<String, String> p) {
        return Path.of(Actions.required(p, "target"));
    }

    private static String answer(String what, boolean done) throws IOException {
        if (!done) {
            throw new IOException(what + ": the JDK answered false");
        }
        return what;
    }

    static String filesMove(Map<String, String> p) throws Exception {
        return "moved to " + Files.move(path(p), target(p));
    }

    /**
     * {@code files-delete-on-close}: opens {@code path} {@code count} times (default 1) for reading with
     * {@code DELETE_ON_CLOSE}, through {@code Files.newByteChannel} or, with {@code via=secure-directory-stream}, a
     * {@code SecureDirectoryStream} of its directory; each channel closed. Answers whether the file is still there.
     */
    static String filesDeleteOnClose(Map<String, String> p) throws IOException {
        Path file = path(p);
        int count = Integer.parseInt(p.getOrDefault("count", "1"));
        boolean secure = "secure-directory-stream".equals(p.get("via"));
        for (int i = 0; i < count; i++) {
            if (secure) {
                try (java.nio.file.DirectoryStream<Path> dir = Files.newDirectoryStream(file.getParent())) {
                    java.nio.file.SecureDirectoryStream<Path> stream = (java.nio.file.SecureDirectoryStream<Path>) dir;
                    stream.newByteChannel(file.getFileName(), java.util.Set.of(
                            java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.DELETE_ON_CLOSE))
                            .close();
                }
            } else {
                Files.newByteChannel(file, java.nio.file.StandardOpenOption.READ,
                        java.nio.file.StandardOpenOption.DELETE_ON_CLOSE).close();
            }
        }
        return "opened " + count + " times; exists=" + Files.exists(file);
    }

    static String fileRenameTo(Map<String, String> p) throws IOException {
        return answer("renamed", path(p).toFile().renameTo(target(p).toFile()));
    }

    static String filesCreateLink(Map<String, String> p) throws Exception {
        return "linked " + Files.createLink(path(p), target(p));
    }

    static String filesCreateSymbolicLink(Map<String, String> p) throws Exception {
        return "linked " + Files.createSymbolicLink(path(p), target(p));
    }

    static String filesDelete(Map<String, String> p) throws Exception {
        Files.delete(path(p));
        return "deleted";
    }

    static String fileDelete(Map<String, String> p) throws IOException {
        return answer("deleted", path(p).toFile().delete());
    }

    static String filesCreateDirectory(Map<String, String> p) throws Exception {
        return "created " + Files.createDirectory(path(p));
    }

    static String fileMkdir(Map<String, String> p) throws IOException {
        return answer("created", path(p).toFile().mkdir());
    }

    static String fileCreateNewFile(Map<String, String> p) throws Exception {
        return answer("created", path(p).toFile().createNewFile());
    }

    /** {@code path} is the directory the temporary file is created in. */
    static String fileCreateTempFile(Map<String, String> p) throws Exception {
        return "created " + File.createTempFile("hostguard", ".tmp", path(p).toFile());
    }

    static String filesSetMode(Map<String, String> p) throws Exception {
        Files.setAttribute(path(p), "unix:mode", Integer.parseInt(p.getOrDefault("mode", DEFAULT_MODE), 8));
        return "mode set";
    }

    static String filesSetPosixPermissions(Map<String, String> p) throws Exception {
        Files.setPosixFilePermissions(path(p), PosixFilePermissions.fromString("rwxrwxrwx"));
        return "mode set";
    }

    static String fileSetExecutable(Map<String, String> p) throws IOException {
        return answer("mode set", path(p).toFile().setExecutable(true, false));
    }

    /** To the group named {@code group} (default: the file's own): {@code chown(path, -1, gid)}. */
    static String filesSetGroup(Map<String, String> p) throws Exception {
        PosixFileAttributeView view = Files.getFileAttributeView(path(p), PosixFileAttributeView.class);
        String group = p.get("group");
        view.setGroup(group == null ? view.readAttributes().group()
                : path(p).getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group));
        return "group set";
    }

    static String filesSetLastModified(Map<String, String> p) throws Exception {
        Files.setLastModifiedTime(path(p), FileTime.fromMillis(0));
        return "times set";
    }

    static String fileSetLastModified(Map<String, String> p) throws IOException {
        return answer("times set", path(p).toFile().setLastModified(0));
    }

    /** Writes the extended attribute {@code user.hostguard}. */
    static String filesWriteXattr(Map<String, String> p) throws Exception {
        Files.getFileAttributeView(path(p), UserDefinedFileAttributeView.class)
                .write("hostguard", ByteBuffer.wrap("demo".getBytes(StandardCharsets.UTF_8)));
        return "xattr set";
    }
}
