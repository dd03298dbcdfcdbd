package dev.hostguard.demo;

import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The host operations this demo can be talked into, one entry per action name. The integration
 * tests' own JDK {@code HttpServer} app calls the same table (hostguard-demo.jar on its class
 * path), so both servers trigger byte-for-byte the same host operations.
 *
 * <h2>API</h2>
 * {@link #run(String, Map)} runs one action and returns its result as text; {@link #names()} lists
 * the actions. Any failure (bad parameter, missing socket, a guard refusing the operation) is
 * thrown unchanged to the caller.
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
 * <h2>Other actions</h2>
 * <ul>
 *   <li>{@code read-file}: parameter {@code path}; returns the file's first 64 KiB, NULs shown as
 *       spaces (so {@code /proc/self/cmdline} reads as a command line)</li>
 *   <li>{@code docker-list}: {@code GET /containers/json} on the Docker socket</li>
 *   <li>{@code docker-run}: {@code POST /containers/create} for a privileged alpine container that
 *       bind-mounts the host root</li>
 * </ul>
 * Docker actions return {@code "status=<http status>\n<body>"}. The socket comes from the optional
 * parameter {@code socket}, else the environment variable {@code DOCKER_HOST}
 * ({@code unix:///path} or a plain path), else {@code /var/run/docker.sock}.
 */
public final class Actions {

    /** What {@code /admin/exec} and friends use when the request names no {@code api}. */
    public static final String DEFAULT_PROCESS_ACTION = "process-builder";

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

    private static final Map<String, Action> TABLE = buildTable();

    private Actions() {
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
        Action known = TABLE.get(action);
        if (known == null) {
            throw new IllegalArgumentException("unknown action '" + action + "'; known actions: "
                    + String.join(", ", TABLE.keySet()));
        }
        return known.run(params);
    }

    /** The known action names, in a stable order. */
    public static Set<String> names() {
        return TABLE.keySet();
    }

    private static Map<String, Action> buildTable() {
        Map<String, Action> table = new LinkedHashMap<>();
        Runtime rt = Runtime.getRuntime();
        process(table, "exec-string", c -> rt.exec(c.line()));
        process(table, "exec-string-env", c -> rt.exec(c.line(), c.envp()));
        process(table, "exec-string-env-dir", c -> rt.exec(c.line(), c.envp(), c.dir()));
        process(table, "exec-array", c -> rt.exec(c.argv()));
        process(table, "exec-array-env", c -> rt.exec(c.argv(), c.envp()));
        process(table, "exec-array-env-dir", c -> rt.exec(c.argv(), c.envp(), c.dir()));
        process(table, "process-builder", c -> c.processBuilder().start());
        table.put("pipeline", p -> ProcessOutcome.await(IndirectProcessStarts.pipeline(ProcessCommand.from(p))));
        process(table, "reflection", IndirectProcessStarts::reflection);
        process(table, "method-handle", IndirectProcessStarts::methodHandle);
        process(table, "event-handler", IndirectProcessStarts::eventHandler);
        process(table, "processimpl-start", ProcessImplBypass::staticStart);
        process(table, "processimpl-constructor", ProcessImplBypass::constructor);
        table.put("read-file", p -> readFile(required(p, "path")));
        table.put("docker-list", p -> DockerSocketClient.forParams(p).get("/containers/json"));
        table.put("docker-run", p -> DockerSocketClient.forParams(p).post("/containers/create", PRIVILEGED_CONTAINER));
        return Collections.unmodifiableMap(table);
    }

    private static void process(Map<String, Action> table, String name, ProcessStart start) {
        table.put(name, p -> ProcessOutcome.await(start.start(ProcessCommand.from(p))));
    }

    static String required(Map<String, String> params, String name) {
        String value = params.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("parameter '" + name + "' is required");
        }
        return value;
    }

    private static String readFile(String path) throws Exception {
        try (InputStream in = new FileInputStream(path)) {
            return new String(in.readNBytes(MAX_OUTPUT_BYTES), StandardCharsets.UTF_8).replace('\0', ' ');
        }
    }
}
