package dev.hostguard.agent.bootstrap;

/**
 * What the hooks forward to once the agent is running. Lives in the boot loader so that advice inlined into
 * {@code java.*} classes can reach it; the implementation lives in the agent's own class loader.
 */
public interface HookHandler {
    /** {@link #fileAccess} operations. */
    int FILE_READ = 0;
    int FILE_WRITE = 1;
    int DIRECTORY_LIST = 2;
    int UNIX_CONNECT = 3;
    /** {@link #nativeCode} operations: a library loaded (JNI, JNA, FFM lookup), a downcall handle made (FFM). */
    int NATIVE_LOAD = 0;
    int NATIVE_DOWNCALL = 1;
    /**
     * {@link #fileChange} operations: a rename (path: the source, other: the target), a hard link (path: the existing
     * file, other: the new name), a symbolic link (path: the new name, other: its target as given), a delete, a
     * create (a directory, or an empty file without an open), and attribute changes: mode, owner or group, times,
     * extended attributes.
     */
    int CHANGE_RENAME = 0;
    int CHANGE_LINK = 1;
    int CHANGE_SYMLINK = 2;
    int CHANGE_DELETE = 3;
    int CHANGE_CREATE = 4;
    int CHANGE_MODE = 5;
    int CHANGE_OWNER = 6;
    int CHANGE_TIMES = 7;
    int CHANGE_XATTR = 8;
    /** The directory descriptor of a path not given relative to an open directory (Linux {@code AT_FDCWD}). */
    int AT_FDCWD = -100;

    /** Judges a process start inside a request; throws to refuse it. */
    void processStart(RequestScope scope, String[] command, String directory) throws HostGuardBlockedException;

    /**
     * Judges a file open, a directory listing or a Unix-socket connect inside a request; throws to refuse it.
     *
     * @param operation one of {@link #FILE_READ}, {@link #FILE_WRITE}, {@link #DIRECTORY_LIST}, {@link #UNIX_CONNECT}
     * @param directoryFd the open directory {@code path} is relative to, or {@link #AT_FDCWD}
     */
    void fileAccess(RequestScope scope, int operation, int directoryFd, String path) throws HostGuardBlockedException;

    /**
     * A read-only open (no write access, {@code O_CREAT} or {@code O_TRUNC}) about to happen inside a request: judged
     * now (throws to refuse it) when its path could name a protected file as spelled; else left for
     * {@link #fileReadOpened} on the descriptor the open makes.
     *
     * @param directoryFd the open directory {@code path} is relative to, or {@link #AT_FDCWD}
     * @return whether to judge the descriptor after the open
     */
    default boolean fileReadOpening(RequestScope scope, int directoryFd, String path)
            throws HostGuardBlockedException {
        fileAccess(scope, FILE_READ, directoryFd, path);
        return false;
    }

    /**
     * The descriptor a read-only open made, when {@link #fileReadOpening} asked for it, before anything is read:
     * throws to refuse it (the caller then closes it, {@link #closeDescriptor}).
     *
     * @param fd the descriptor; -1 when it cannot be told
     */
    default void fileReadOpened(RequestScope scope, int fd, int directoryFd, String path)
            throws HostGuardBlockedException {
    }

    /** The number a java.io {@code FileDescriptor} holds; -1 when it cannot be read. */
    default int descriptorNumber(java.io.FileDescriptor descriptor) {
        return -1;
    }

    /** Closes descriptor {@code fd} of an open refused after it happened. Never throws. */
    default void closeDescriptor(int fd) {
    }

    /**
     * Judges a change of the file system other than an open inside a request; throws to refuse it.
     *
     * @param operation one of the {@code CHANGE_*} constants
     * @param directoryFd the open directory {@code path} is relative to, or {@link #AT_FDCWD}
     * @param path as the JDK has it: a {@code String}, a {@code java.io.File}, a NIO {@code UnixPath}, the bytes of
     *             an {@code *at} call's name, or the attribute view whose file is changed (NIO's views; the handler
     *             reads its file, how it follows links and, for a {@code SecureDirectoryStream}'s, its directory)
     * @param otherFd the open directory {@code other} is relative to, or {@link #AT_FDCWD}
     * @param other the other path of a rename, link or symbolic link; else {@code null}
     * @param mode the mode set by a {@link #CHANGE_MODE}, or -1 when {@code detail} says it
     * @param detail a {@link #CHANGE_MODE} through java.io ({@code mode u+x}, {@code mode a-w}); else {@code null}
     */
    default void fileChange(RequestScope scope, int operation, int directoryFd, Object path, int otherFd,
                            Object other, int mode, String detail) throws HostGuardBlockedException {
    }

    /**
     * A delete refused at the dispatcher's {@code unlink}/{@code unlinkat}: what to throw there instead of the
     * refusal, or {@code null} for the refusal itself. {@code UnixChannelFactory}'s {@code DELETE_ON_CLOSE} unlink
     * (after its open) catches only the JDK's own {@code sun.nio.fs.UnixException}; the refusal would leave the
     * descriptor it opened open.
     */
    default Throwable unlinkRefusal(HostGuardBlockedException refused) {
        return null;
    }

    /**
     * Judges native code inside a request; throws to refuse it. Called only for code the JDK did not load for
     * itself (a library of a boot or platform class never reaches it).
     *
     * @param operation {@link #NATIVE_LOAD} or {@link #NATIVE_DOWNCALL}
     * @param api how: {@code jni}, {@code jna}, {@code ffm-library-lookup}, {@code ffm-downcall}
     * @param target a load: the library (a path, a {@code Path}, or a name as given); a downcall: the symbol's
     *               {@code MemorySegment}, or {@code null} for a handle bound to no address
     * @param detail a downcall: its {@code FunctionDescriptor}; else {@code null}
     */
    default void nativeCode(RequestScope scope, int operation, String api, Object target, Object detail)
            throws HostGuardBlockedException {
    }

    /**
     * Captures what work handed over inside this request (a task, a thread) needs to be judged later, elsewhere.
     *
     * @return a snapshot, or {@code null} when the request's hand-overs need no judging
     */
    Object capture(RequestScope scope);

    /**
     * A WebSocket session is being opened by the request {@code scope} serves, its handshake: what the session's
     * messages are judged by ({@link #capture}'s snapshot, marked as a WebSocket session's), taken now, while the
     * handshake request is live.
     *
     * @param session the server's object for the session (a refusal closes the session through it)
     * @return the snapshot, or {@code null} when the handshake's requests are not guarded (a logged-in user's)
     */
    default Object webSocketHandshake(RequestScope scope, Object session) {
        return null;
    }

    /**
     * The server made the session's own object ({@code session}) from the handshake's, after the request: refusals
     * in the snapshot {@code context} ({@link #webSocketHandshake}'s) now close the session through it.
     */
    default void webSocketAccepted(Object context, Object session) {
    }

    /**
     * Answers the client of a request in which an operation was refused with 403, if its response is not
     * committed yet.
     *
     * @return whether the client got that answer
     */
    boolean answerBlocked(RequestScope scope, HostGuardBlockedException blocked);

    /**
     * For a server that writes its answer after the handler: the response to write instead of its own, when an
     * operation of {@code request} was refused.
     *
     * @param refusal the refusal that caused the failure the server is answering; {@code null} when none did (the
     *                request may still have kept one of its own)
     * @return the server's response object for the 403; {@code null}: the server's own answer stands
     */
    Object refusalAnswer(Object request, HostGuardBlockedException refusal);

    /** A server checked a login of {@code request} against its user store; {@code answer} is its verdict. */
    void loginChecked(Object request, Object answer);

    /**
     * A server is loading a login it kept for {@code request} between requests (Spring Security WebFlux's security
     * context, which {@code WebSessionServerSecurityContextRepository} loads from the {@code WebSession}):
     * {@code pending} is what it returns, the deferred result (a Reactor {@code Mono}).
     *
     * @return what the server returns instead: {@code pending} noting the login on the request once loaded (through
     *         {@link #loginChecked}); {@code null}: {@code pending} stands
     */
    default Object loginLoading(Object request, Object pending) {
        return null;
    }

    /**
     * Judges a network connect ({@code sun.nio.ch.Net.connect}: TCP sockets and channels of every kind, and a UDP
     * channel's connect) inside a request; throws to refuse it. Must allocate nothing when the destination matches
     * no rule.
     *
     * @param address the address connected to, carrying the name the caller connected to when it gave one
     */
    default void networkConnect(RequestScope scope, java.net.InetAddress address, int port)
            throws HostGuardBlockedException {
    }

    /**
     * Whether a connection just made to {@code target} (a Unix socket's path) reaches a container runtime's API,
     * whoever made it: then its use is judged later ({@link #runtimeConnectionUse}).
     *
     * @return what to judge its use by; {@code null}: an ordinary connection, not remembered
     */
    default Object runtimeConnection(String target) {
        return null;
    }

    /**
     * Whether a TCP connection just made to {@code address}:{@code port} reaches an endpoint a network rule guards
     * (a runtime's API port, the Kubernetes API server, ...), whoever made it: then its use is judged later
     * ({@link #runtimeConnectionUse}), as a runtime socket's.
     *
     * @return what to judge its use by; {@code null}: an ordinary connection, not remembered
     */
    default Object networkConnection(java.net.InetAddress address, int port) {
        return null;
    }

    /**
     * The file-system path of a Unix-domain socket address of a library with its own native sockets (junixsocket's
     * {@code AFUNIXSocketAddress}, jnr-unixsocket's {@code UnixSocketAddress}); {@code null} for any other address
     * (an abstract-namespace name, another address family).
     */
    default String socketPath(Object address) {
        return null;
    }

    /**
     * Judges a read or write inside a request on a remembered runtime connection; throws to refuse it.
     *
     * @param noted what {@link #runtimeConnection} or {@link #networkConnection} returned when the connection was
     *              made
     */
    default void runtimeConnectionUse(RequestScope scope, Object noted, boolean write)
            throws HostGuardBlockedException {
    }

    /**
     * Judges, inside a request, a read of process {@code pid}'s command line through the JDK's process API
     * ({@code ProcessHandle.info()}, which reads {@code /proc/<pid>/cmdline} natively): as a read of that path;
     * throws to refuse it.
     */
    default void processInfo(RequestScope scope, long pid) throws HostGuardBlockedException {
    }

    /**
     * Judges, inside a request, a signal to process {@code pid} through the JDK's process API
     * ({@code ProcessHandle.destroy()}: {@code SIGTERM}; {@code destroyForcibly()}: {@code SIGKILL}); throws to refuse
     * it.
     */
    default void processSignal(RequestScope scope, long pid, boolean forcibly) throws HostGuardBlockedException {
    }

    /**
     * Judges, inside a request, a JVM diagnostic ({@code dev.hostguard.agent.policy.JvmDiagnostics}): a heap dump, a VM
     * option set, a diagnostic command, an attach to another JVM or a command sent to it; throws to refuse it.
     *
     * @param kind {@code heap-dump}, {@code vm-option}, {@code diagnostic-command} or {@code attach}
     * @param name the method, option, command or target JVM (its pid)
     * @param arguments its arguments as the JDK has them (a heap dump's path, an option's value, a command's
     *                  {@code Object[]}, an attach command's {@code Object[]}); may be {@code null}
     */
    default void jvmDiagnostic(RequestScope scope, String kind, String name, Object arguments)
            throws HostGuardBlockedException {
    }

    /**
     * Code tried to reach HostGuard's own state (reflection into its classes, an {@code Unsafe} offset of its fields,
     * a facade method called out of turn), or the self-check found it changed: writes a {@code tamper} event naming
     * the request {@code scope} works for.
     *
     * @param family {@code set-accessible}, {@code private-lookup}, {@code unsafe-offset}, {@code facade-call}, ...
     * @param target what was aimed at (a class, a field, a facade method)
     * @param detail how (the caller, the arguments)
     * @return the refusal of the request, when it is a guarded request in block mode; else {@code null}
     */
    default HostGuardBlockedException tamper(RequestScope scope, String family, String target, String detail) {
        return null;
    }

    /** The service serves its first request: the handler may start what it runs only for a serving service. */
    default void requestsServed() {
    }

    /** One of our own hooks failed; the operation went ahead (fail open). Never throws. */
    void hookFailed(String site, Throwable failure);
}
