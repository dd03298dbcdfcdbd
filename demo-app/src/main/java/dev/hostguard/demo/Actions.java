package dev.hostguard.demo;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FileReader;
import java.io.FileWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The host operations this demo can be talked into, one entry per action name. The integration
 * tests' own JDK {@code HttpServer} app calls the same table (hostguard-demo.jar on its class
 * path), so both servers trigger byte-for-byte the same host operations.
 *
 * <h2>API</h2>
 * {@link #run(String, Map)} runs one action and returns its result as text; {@link #names()} lists
 * the actions, {@link #processActions()}, {@link #handOverActions()}, {@link #fileActions()} and
 * {@link #networkActions()} the four families below. Any
 * failure (bad parameter, missing socket, a guard refusing the operation) is thrown unchanged to
 * the caller.
 *
 * <h2>Process actions</h2>
 * Parameters: {@code cmd} (required; argv separated by whitespace), {@code dir} (optional working
 * directory; default: the JVM's working directory), {@code env} (optional, only for the
 * {@code exec-*-env*} actions: whitespace-separated {@code NAME=VALUE} entries, default
 * {@code DEMO=1}; {@code inherit} passes a null envp). Each action starts the process through a
 * different JDK API shape, waits up to 10 s (destroying it on timeout, then failing) and returns
 * {@code "exit=<code>\n<stdout><stderr>"}.
 * <ul>
 *   <li>{@code exec-string}, {@code exec-string-env}, {@code exec-string-env-dir}: the three
 *       {@code Runtime.exec(String, ...)} overloads</li>
 *   <li>{@code exec-array}, {@code exec-array-env}, {@code exec-array-env-dir}: the three
 *       {@code Runtime.exec(String[], ...)} overloads</li>
 *   <li>{@code process-builder}: {@code new ProcessBuilder(argv).start()}</li>
 *   <li>{@code pipeline}: {@code ProcessBuilder.startPipeline([argv, cat])}</li>
 *   <li>{@code reflection}: {@code ProcessBuilder.class.getMethod("start").invoke(pb)}</li>
 *   <li>{@code method-handle}: {@code publicLookup().findVirtual(ProcessBuilder, "start")}</li>
 *   <li>{@code event-handler}: a {@code java.beans.EventHandler} proxy calling {@code pb.start()}</li>
 *   <li>{@code processimpl-start}, {@code processimpl-constructor}: straight into
 *       {@code java.lang.ProcessImpl}; need {@code --add-opens java.base/java.lang=ALL-UNNAMED}</li>
 * </ul>
 *
 * <h2>Hand-over process actions</h2>
 * Parameters as for the process actions ({@code cmd}, {@code dir}). The request's thread parses the
 * command and hands {@code new ProcessBuilder(argv).directory(dir).start()} and its wait over to
 * another thread ({@link HandOvers}), then waits for that work's result (same text) and rethrows
 * what it threw:
 * <ul>
 *   <li>{@code thread}: a new {@code Thread}, joined</li>
 *   <li>{@code pool}: a fixed thread pool created at boot, {@code submit}</li>
 *   <li>{@code scheduled}: a scheduled executor created at boot, {@code schedule(callable, 10 ms)}</li>
 *   <li>{@code completable-future}: {@code CompletableFuture.supplyAsync} (the common pool)</li>
 *   <li>{@code virtual-thread}: {@code Thread.ofVirtual().start(...)}, by reflection; on a JDK
 *       before 21 it fails with an {@code IllegalStateException} ("needs JDK 21")</li>
 *   <li>{@code fire-and-forget}: submitted to the same pool, NOT waited for: answers
 *       {@code submitted} at once, and the command runs after the response was sent</li>
 *   <li>{@code timer}: a {@code java.util.Timer} created at boot, {@code schedule(task, 200 ms)},
 *       NOT waited for: answers {@code submitted} at once; the command fires from the timer after
 *       the response was sent</li>
 *   <li>{@code parallel-stream}: a parallel stream whose element taken by a common-pool worker
 *       runs the command (the request thread's elements wait for it)</li>
 *   <li>{@code fork-join}: a {@code RecursiveAction} invoked on the request thread forks a child
 *       that runs the command on a common-pool worker, and joins it</li>
 * </ul>
 *
 * <h2>File actions</h2>
 * Parameters: {@code path} (required; used as given: absolute, relative to the JVM's working
 * directory, through symlinks, whatever the request says), {@code data} (writes only; default
 * {@value #DEFAULT_WRITE_DATA}). Each action opens, writes, lists or connects to the path through a
 * different JDK API shape.
 * <ul>
 *   <li>reads, returning the bytes read (at most 64 KiB, NULs shown as spaces, so
 *       {@code /proc/self/cmdline} reads as a command line): {@code file-input-stream},
 *       {@code file-reader}, {@code random-access-read}, {@code files-read-all-bytes},
 *       {@code files-new-input-stream}, {@code files-lines}, {@code file-channel-read},
 *       {@code async-file-channel-read}, {@code file-url-stream} ({@code new URL("file:" + path)}),
 *       {@code files-copy} (copies the path to a temp file and returns the copy),
 *       {@code secure-directory-read} (opens the parent as a {@code SecureDirectoryStream} and the
 *       last name through it: {@code openat})</li>
 *   <li>writes, returning {@code "written <bytes>"}: {@code file-output-stream},
 *       {@code file-writer}, {@code random-access-write}, {@code files-write},
 *       {@code file-channel-write}</li>
 *   <li>listings, returning the names (sorted, one per line, at most 1000): {@code file-list},
 *       {@code file-list-files}, {@code files-list}, {@code files-new-directory-stream},
 *       {@code files-walk} ({@code Files.walkFileTree}, depth 1, following links), {@code secure-directory-stream} (the parent opened as a
 *       {@code SecureDirectoryStream}, the last name listed through it: {@code openat})</li>
 *   <li>{@code unix-connect}: connects to the Unix-domain socket at the path and sends one
 *       {@code GET /_ping}; returns {@code "status=<http status>\n<body>"}</li>
 * </ul>
 *
 * <h2>File-change actions</h2>
 * Parameters: {@code path} (the path changed), {@code target} (a move's destination, a link's existing file, a
 * symbolic link's target), {@code mode} (octal, {@code files-set-mode} only, default 4755); see
 * {@link FileChangeOperations}. Each changes the file system without opening a file, through a different JDK API:
 * {@code files-move}, {@code file-rename-to}, {@code files-create-link}, {@code files-create-symbolic-link},
 * {@code files-delete}, {@code file-delete}, {@code files-create-directory}, {@code file-mkdir},
 * {@code file-create-new-file}, {@code file-create-temp-file} ({@code path}: the directory), {@code files-set-mode}
 * ({@code unix:mode}), {@code files-set-posix-permissions} ({@code rwxrwxrwx}), {@code file-set-executable}
 * ({@code setExecutable(true, false)}), {@code files-set-group} ({@code group}: a group name), {@code files-set-last-modified},
 * {@code file-set-last-modified} (both to 1970), {@code files-write-xattr} ({@code user.hostguard}). A java.io
 * method's {@code false} fails the request, as an {@code IOException}.
 *
 * <h2>Network actions</h2>
 * Parameters: {@code host} (an address or a name, used as given) and {@code port}. Each sends one
 * {@code GET /<action>} over HTTP/1.1 through a different JDK client ({@link NetworkConnects}) and returns
 * {@code "status=<http status>\n<body>"}: {@code tcp-socket} ({@code new Socket}),
 * {@code tcp-socket-channel} ({@code SocketChannel.open}), {@code tcp-async-channel}
 * ({@code AsynchronousSocketChannel}), {@code tcp-http-client} ({@code java.net.http.HttpClient}),
 * {@code tcp-url-connection} ({@code URL.openConnection}).
 *
 * <h2>Other actions</h2>
 * <ul>
 *   <li>{@code docker-list}: {@code GET /containers/json} on the Docker socket</li>
 *   <li>{@code docker-run}: {@code POST /containers/create} for a privileged alpine container that
 *       bind-mounts the host root</li>
 *   <li>{@code metrics}: operating-system metrics, a class load and a log line, see {@link Metrics}</li>
 *   <li>{@code process-info}: {@code ProcessHandle.of(pid).info()} (parameter {@code pid}, default {@code self}):
 *       {@code "command=...\narguments=...\ncommandLine=...\nuser=..."}; {@code process-signal}:
 *       {@code ProcessHandle.of(pid).destroy()}, {@code "sent=<true|false>"}</li>
 *   <li>native code ({@link NativeOperations}): {@code jni-load} ({@code System.load(path)}, default the JDK's
 *       {@code lib/librmi.so}), {@code jni-load-library} ({@code Runtime.loadLibrary(name)}, default
 *       {@code j2gss}), {@code jna-mkdir} (JNA, when on the class path: libc's {@code mkdir(path)}),
 *       {@code ffm-library-mkdir} ({@code SymbolLookup.libraryLookup("libc.so.6")}, then a downcall to its
 *       {@code mkdir(path)}), {@code ffm-mkdir} (the linker's default lookup, a downcall to {@code mkdir(path)});
 *       the FFM ones need JDK 22</li>
 * </ul>
 * Docker actions return {@code "status=<http status>\n<body>"}. The socket comes from the optional
 * parameter {@code socket}, else the environment variable {@code DOCKER_HOST}
 * ({@code unix:///path} or a plain path), else {@code /var/run/docker.sock}.
 */
public final class Actions {

    /** What {@code /admin/exec} and friends use when the request names no {@code api}. */
    public static final String DEFAULT_PROCESS_ACTION = "process-builder";

    /** What {@code /admin/file} and friends use when the request names no {@code api}. */
    public static final String DEFAULT_FILE_ACTION = "file-input-stream";

    /** What the write actions write when the request has no {@code data}. */
    public static final String DEFAULT_WRITE_DATA = "written by hostguard-demo";

    /** Cap on the bytes returned from a file or a process, so one request cannot exhaust memory. */
    static final int MAX_OUTPUT_BYTES = 64 * 1024;

    /** The container an attacker wants: privileged, with the host's root file system mounted. */
    static final String PRIVILEGED_CONTAINER =
            "{\"Image\":\"alpine\",\"Cmd\":[\"sh\"],\"HostConfig\":{\"Privileged\":true,\"Binds\":[\"/:/host\"]}}";

    @FunctionalInterface
    private interface Action {
        String run(Map<String, String> params) throws Exception;
    }

    @FunctionalInterface
    private interface ProcessStart {
        Process start(ProcessCommand command) throws Exception;
    }

    @FunctionalInterface
    private interface HandOver {
        String handOver(HandOvers.Work work) throws Exception;
    }

    @FunctionalInterface
    private interface FileRead {
        byte[] read(String path) throws Exception;
    }

    @FunctionalInterface
    private interface FileWrite {
        void write(String path, String data) throws Exception;
    }

    @FunctionalInterface
    private interface DirectoryList {
        Collection<String> list(String path) throws Exception;
    }

    private static final Table TABLE = new Table();

    static {
        Runtime rt = Runtime.getRuntime();
        TABLE.process("exec-string", c -> rt.exec(c.line()));
        TABLE.process("exec-string-env", c -> rt.exec(c.line(), c.envp()));
        TABLE.process("exec-string-env-dir", c -> rt.exec(c.line(), c.envp(), c.dir()));
        TABLE.process("exec-array", c -> rt.exec(c.argv()));
        TABLE.process("exec-array-env", c -> rt.exec(c.argv(), c.envp()));
        TABLE.process("exec-array-env-dir", c -> rt.exec(c.argv(), c.envp(), c.dir()));
        TABLE.process("process-builder", c -> c.processBuilder().start());
        TABLE.processPipeline("pipeline", p -> ProcessOutcome.await(IndirectProcessStarts.pipeline(ProcessCommand.from(p))));
        TABLE.process("reflection", IndirectProcessStarts::reflection);
        TABLE.process("method-handle", IndirectProcessStarts::methodHandle);
        TABLE.process("event-handler", IndirectProcessStarts::eventHandler);
        TABLE.process("processimpl-start", ProcessImplBypass::staticStart);
        TABLE.process("processimpl-constructor", ProcessImplBypass::constructor);

        HandOvers.initialize(); // its pool and scheduler exist from boot, long before any request
        TABLE.handOver("thread", HandOvers::thread);
        TABLE.handOver("pool", HandOvers::pool);
        TABLE.handOver("scheduled", HandOvers::scheduled);
        TABLE.handOver("completable-future", HandOvers::completableFuture);
        TABLE.handOver("virtual-thread", HandOvers::virtualThread);
        TABLE.handOver("fire-and-forget", HandOvers::fireAndForget);
        TABLE.handOver("timer", HandOvers::timer);
        TABLE.handOver("parallel-stream", HandOvers::parallelStream);
        TABLE.handOver("fork-join", HandOvers::forkJoin);

        TABLE.read("file-input-stream", p -> FileOperations.drain(new FileInputStream(p)));
        TABLE.read("file-reader", p -> FileOperations.drain(new FileReader(p, StandardCharsets.UTF_8)));
        TABLE.read("random-access-read", FileOperations::randomAccessRead);
        TABLE.read("files-read-all-bytes", p -> Files.readAllBytes(Path.of(p)));
        TABLE.read("files-new-input-stream", p -> FileOperations.drain(Files.newInputStream(Path.of(p))));
        TABLE.read("files-lines", FileOperations::lines);
        TABLE.read("file-channel-read", FileOperations::channelRead);
        TABLE.read("async-file-channel-read", FileOperations::asyncRead);
        TABLE.read("file-url-stream", FileOperations::urlStream);
        TABLE.read("files-copy", FileOperations::copyToTempAndRead);
        TABLE.read("secure-directory-read", FileOperations::secureDirectoryRead);

        TABLE.write("file-output-stream", (p, data) -> FileOperations.fill(new FileOutputStream(p), data));
        TABLE.write("file-writer", (p, data) -> FileOperations.fill(new FileWriter(p, StandardCharsets.UTF_8), data));
        TABLE.write("random-access-write", FileOperations::randomAccessWrite);
        TABLE.write("files-write", (p, data) -> Files.writeString(Path.of(p), data));
        TABLE.write("file-channel-write", FileOperations::channelWrite);

        TABLE.list("file-list", p -> FileOperations.names(new File(p).list(), p));
        TABLE.list("file-list-files", p -> FileOperations.names(new File(p).listFiles(), p));
        TABLE.list("files-list", p -> FileOperations.names(Files.list(Path.of(p))));
        TABLE.list("files-new-directory-stream", p -> FileOperations.names(Files.newDirectoryStream(Path.of(p))));
        TABLE.list("files-walk", FileOperations::walkOneLevel);
        TABLE.list("secure-directory-stream", FileOperations::secureDirectoryList);

        TABLE.file("unix-connect", p -> DockerSocketClient.at(required(p, "path")).get("/_ping"));

        TABLE.change("files-move", FileChangeOperations::filesMove);
        TABLE.change("file-rename-to", FileChangeOperations::fileRenameTo);
        TABLE.change("files-create-link", FileChangeOperations::filesCreateLink);
        TABLE.change("files-create-symbolic-link", FileChangeOperations::filesCreateSymbolicLink);
        TABLE.change("files-delete", FileChangeOperations::filesDelete);
        TABLE.change("file-delete", FileChangeOperations::fileDelete);
        TABLE.change("files-create-directory", FileChangeOperations::filesCreateDirectory);
        TABLE.change("file-mkdir", FileChangeOperations::fileMkdir);
        TABLE.change("file-create-new-file", FileChangeOperations::fileCreateNewFile);
        TABLE.change("file-create-temp-file", FileChangeOperations::fileCreateTempFile);
        TABLE.change("files-set-mode", FileChangeOperations::filesSetMode);
        TABLE.change("files-set-posix-permissions", FileChangeOperations::filesSetPosixPermissions);
        TABLE.change("file-set-executable", FileChangeOperations::fileSetExecutable);
        TABLE.change("files-set-group", FileChangeOperations::filesSetGroup);
        TABLE.change("files-set-last-modified", FileChangeOperations::filesSetLastModified);
        TABLE.change("file-set-last-modified", FileChangeOperations::fileSetLastModified);
        TABLE.change("files-write-xattr", FileChangeOperations::filesWriteXattr);

        TABLE.network("tcp-socket", NetworkConnects::socket);
        TABLE.network("tcp-socket-channel", NetworkConnects::socketChannel);
        TABLE.network("tcp-async-channel", NetworkConnects::asyncChannel);
        TABLE.network("tcp-http-client", NetworkConnects::httpClient);
        TABLE.network("tcp-url-connection", NetworkConnects::urlConnection);

        TABLE.other("docker-list", p -> DockerSocketClient.forParams(p).get("/containers/json"));
        TABLE.other("docker-run", p -> DockerSocketClient.forParams(p).post("/containers/create", PRIVILEGED_CONTAINER));
        TABLE.other("metrics", p -> Metrics.snapshot());
        TABLE.other("files-delete-on-close", FileChangeOperations::filesDeleteOnClose);
        TABLE.other("process-info", Actions::processInfo);
        TABLE.other("process-signal", Actions::processSignal);

        TABLE.other("jni-load", NativeOperations::jniLoad);
        TABLE.other("jni-load-library", NativeOperations::jniLoadLibrary);
        TABLE.other("jna-mkdir", NativeOperations::jnaMkdir);
        TABLE.other("ffm-library-mkdir", NativeOperations::ffmLibraryMkdir);
        TABLE.other("ffm-mkdir", NativeOperations::ffmMkdir);
    }

    private Actions() {
    }

    /** The process {@code pid} names: {@code self} (the default) or a number. */
    private static ProcessHandle process(Map<String, String> params) {
        String pid = params.getOrDefault("pid", "self");
        return pid.equals("self") ? ProcessHandle.current() : ProcessHandle.of(Long.parseLong(pid))
                .orElseThrow(() -> new IllegalArgumentException("no process " + pid));
    }

    /** {@code ProcessHandle.info()} of {@code pid}: its command, arguments and command line, as the JDK reads them. */
    private static String processInfo(Map<String, String> params) {
        ProcessHandle.Info info = process(params).info();
        return "command=" + info.command().orElse("") + "\narguments="
                + info.arguments().map(a -> String.join(" ", a)).orElse("") + "\ncommandLine="
                + info.commandLine().orElse("") + "\nuser=" + info.user().orElse("");
    }

    /** {@code ProcessHandle.destroy()} ({@code SIGTERM}) of {@code pid}: whether the signal was sent. */
    private static String processSignal(Map<String, String> params) {
        return "sent=" + process(params).destroy();
    }

    /**
     * Runs one action.
     *
     * @param action one of {@link #names()}
     * @param params the action's parameters (see the class comment); never null
     * @return the action's result as text
     * @throws IllegalArgumentException for an unknown action or a missing parameter
     * @throws Exception whatever the host operation threw (the cause, not a reflection wrapper)
     */
    public static String run(String action, Map<String, String> params) throws Exception {
        Action known = TABLE.actions.get(action);
        if (known == null) {
            throw new IllegalArgumentException("unknown action '" + action + "'; known actions: "
                    + String.join(", ", TABLE.actions.keySet()));
        }
        return known.run(params);
    }

    /** The known action names, in a stable order. */
    public static Set<String> names() {
        return Collections.unmodifiableSet(TABLE.actions.keySet());
    }

    /** The process actions (see the class comment), in a stable order. */
    public static Set<String> processActions() {
        return Collections.unmodifiableSet(TABLE.process);
    }

    /** The hand-over process actions (see the class comment), in a stable order. */
    public static Set<String> handOverActions() {
        return Collections.unmodifiableSet(TABLE.handOver);
    }

    /** The file actions: reads, writes, listings and {@code unix-connect} (see the class comment), in a stable order. */
    public static Set<String> fileActions() {
        return Collections.unmodifiableSet(TABLE.file);
    }

    /** The file-change actions (see the class comment), in a stable order. */
    public static Set<String> fileChangeActions() {
        return Collections.unmodifiableSet(TABLE.change);
    }

    /** The network actions (see the class comment), in a stable order. */
    public static Set<String> networkActions() {
        return Collections.unmodifiableSet(TABLE.network);
    }

    static String required(Map<String, String> params, String name) {
        String value = params.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("parameter '" + name + "' is required");
        }
        return value;
    }

    /** The action table and its two families, filled once by the static initializer. */
    private static final class Table {
        final Map<String, Action> actions = new LinkedHashMap<>();
        final Set<String> process = new LinkedHashSet<>();
        final Set<String> handOver = new LinkedHashSet<>();
        final Set<String> file = new LinkedHashSet<>();
        final Set<String> network = new LinkedHashSet<>();
        final Set<String> change = new LinkedHashSet<>();

        void process(String name, ProcessStart start) {
            processPipeline(name, p -> ProcessOutcome.await(start.start(ProcessCommand.from(p))));
        }

        void processPipeline(String name, Action action) {
            add(name, action);
            process.add(name);
        }

        /** The command is parsed on the caller's thread; starting it and waiting for it is the work handed over. */
        void handOver(String name, HandOver shape) {
            add(name, p -> {
                ProcessCommand command = ProcessCommand.from(p);
                return shape.handOver(() -> ProcessOutcome.await(command.processBuilder().start()));
            });
            handOver.add(name);
        }

        void read(String name, FileRead read) {
            file(name, p -> FileOperations.text(read.read(required(p, "path"))));
        }

        void write(String name, FileWrite write) {
            file(name, p -> {
                String data = p.getOrDefault("data", DEFAULT_WRITE_DATA);
                write.write(required(p, "path"), data);
                return "written " + data.getBytes(StandardCharsets.UTF_8).length;
            });
        }

        void list(String name, DirectoryList list) {
            file(name, p -> FileOperations.listing(list.list(required(p, "path"))));
        }

        void file(String name, Action action) {
            add(name, action);
            file.add(name);
        }

        void network(String name, Action action) {
            add(name, action);
            network.add(name);
        }

        void change(String name, Action action) {
            add(name, action);
            change.add(name);
        }

        void other(String name, Action action) {
            add(name, action);
        }

        private void add(String name, Action action) {
            if (actions.putIfAbsent(name, action) != null) {
                throw new IllegalStateException("action '" + name + "' defined twice");
            }
        }
    }
}
