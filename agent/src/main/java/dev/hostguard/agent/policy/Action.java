package dev.hostguard.agent.policy;

/** The kinds of host operation the guard sees, with their event names. */
public enum Action {
    PROCESS_START("process-start", "process"),
    FILE_OPEN("file-open", "file"),
    DIRECTORY_LIST("directory-list", "file"),
    UNIX_CONNECT("unix-connect", "network"),
    /** Native code loaded: a JNI library ({@code System.load}...), a JNA library, an FFM library lookup. */
    NATIVE_LOAD("native-load", "library"),
    /** An FFM downcall handle made: Java code about to call a native function. */
    NATIVE_DOWNCALL("native-downcall", "library"),
    /** A TCP connect (or a UDP socket's connect) to a host and port: the JDK's {@code sun.nio.ch.Net.connect}. */
    NETWORK_CONNECT("network-connect", "network"),
    /** A signal to another process through {@code ProcessHandle.destroy()} or {@code destroyForcibly()}. */
    PROCESS_SIGNAL("process-signal", "process"),
    /** A rename or move ({@code Files.move}, {@code File.renameTo}): its source and its target are judged. */
    FILE_RENAME("file-rename", "file"),
    /** A hard link made ({@code Files.createLink}): the existing file and the new name are judged. */
    FILE_LINK("file-link", "file"),
    /** A symbolic link made ({@code Files.createSymbolicLink}): its new name is judged. */
    FILE_SYMLINK("file-symlink", "file"),
    /** A file or directory deleted ({@code Files.delete}, {@code File.delete}, {@code SecureDirectoryStream}). */
    FILE_DELETE("file-delete", "file"),
    /** A directory or an empty file created without an open ({@code mkdir}, {@code createNewFile}, {@code createTempFile}). */
    FILE_CREATE("file-create", "file"),
    /** An existing path's mode, owner or group, times or extended attributes changed. */
    FILE_ATTRIBUTES("file-attributes", "file"),
    /** A JVM diagnostic: a heap dump, a VM option set, a diagnostic command, an attach to another JVM ({@link JvmDiagnostics}). */
    JVM_DIAGNOSTIC("jvm-diagnostic", "process");

    private final String eventAction;
    private final String category;

    Action(String eventAction, String category) {
        this.eventAction = eventAction;
        this.category = category;
    }

    /** The action of an access. */
    public static Action of(FileAccess access) {
        return switch (access) {
            case READ, WRITE -> FILE_OPEN;
            case LIST -> DIRECTORY_LIST;
            case CONNECT -> UNIX_CONNECT;
            case EXECUTE -> PROCESS_START;
            case CHANGE -> FILE_ATTRIBUTES;
        };
    }

    /** Whether it changes the file system without an open: a rename, link, symlink, delete, create or attribute change. */
    public boolean changesFiles() {
        return this == FILE_RENAME || this == FILE_LINK || this == FILE_SYMLINK || this == FILE_DELETE
                || this == FILE_CREATE || this == FILE_ATTRIBUTES;
    }

    /** The {@code event.action} of its events. */
    public String eventAction() {
        return eventAction;
    }

    /** The ECS {@code event.category} of its events. */
    public String category() {
        return category;
    }
}
