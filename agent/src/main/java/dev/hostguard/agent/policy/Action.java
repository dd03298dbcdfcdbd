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
    PROCESS_SIGNAL("process-signal", "process");

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
        };
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
