package dev.hostguard.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * One server JVM running with the agent: its process, its events file, its credentials and its directories
 * (all under one per-test temp directory: {@code events.jsonl}, {@code cwd/} as the server's working directory,
 * {@code markers/} for the files the tests' commands create).
 */
public final class GuardedService implements AutoCloseable {
    /** The agent's start-up line. */
    public static final Pattern AGENT_ACTIVE = Pattern.compile("\\[hostguard\\] active");

    private final GuardedServer server;
    private final Jdks.Jdk jdk;
    private final String mode;
    private final Secrets secrets;
    private final Path dir;
    private final Path workingDirectory;
    private final Path markers;
    private final EventLog events;
    private final ServiceProcess process;

    private GuardedService(GuardedServer server, Jdks.Jdk jdk, String mode, Secrets secrets, Path dir,
                           ServiceProcess process) {
        this.server = server;
        this.jdk = jdk;
        this.mode = mode;
        this.secrets = secrets;
        this.dir = dir;
        this.workingDirectory = dir.resolve("cwd");
        this.markers = dir.resolve("markers");
        this.events = new EventLog(dir.resolve("events.jsonl"));
        this.process = process;
    }

    /**
     * Starts {@code server} on {@code jdk} with {@code -javaagent:...=mode=<mode>,events=<dir>/events.jsonl} and
     * waits until it listens and the agent said it is active.
     *
     * @param customize changes to the command (extra environment, JVM options, ...)
     */
    public static GuardedService start(String testName, GuardedServer server, Jdks.Jdk jdk, String mode, Path dir,
                                       UnaryOperator<ServiceProcess.Builder> customize) {
        Secrets secrets = Secrets.fresh();
        try {
            Files.createDirectories(dir.resolve("cwd"));
            Files.createDirectories(dir.resolve("markers"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ServiceProcess.Builder command = server.command(testName, jdk, secrets)
                .label(testName + " " + server.id() + " on " + jdk.label() + " mode=" + mode)
                .agent(BuiltArtifacts.agentJar(), "mode=" + mode + ",events=" + dir.resolve("events.jsonl"))
                .workingDirectory(dir.resolve("cwd"))
                .requireLine(AGENT_ACTIVE);
        ServiceProcess process = customize.apply(command).start();
        return new GuardedService(server, jdk, mode, secrets, dir, process);
    }

    /**
     * A policy that only lifts the event rate limit: the matrices fire hundreds of findings of one rule a second in
     * one JVM, which the default limit (100 per rule and second) would count instead of writing.
     */
    public static final String UNLIMITED_EVENTS_POLICY = "events:\n  rate-limit: 1000000/s\n";

    /**
     * For a test app with a tick: the tick starts {@code true} outside any request, which the default policy logs
     * there once requests are served (and an allow entry would write as allowed). This policy judges nothing outside
     * requests, so a matrix sees only its requests' events; a tick judged as a request's (a leak) still shows.
     */
    public static final String OUTSIDE_REQUESTS_UNJUDGED_POLICY = """
            version: 1
            auth:
              outside-request: allow
            """;

    /**
     * {@link #OUTSIDE_REQUESTS_UNJUDGED_POLICY} as {@code dir/tick-policy.yaml}, with the tick every {@code millis}
     * ({@code env}).
     */
    public static UnaryOperator<ServiceProcess.Builder> withTick(Path dir, String env, long millis) {
        UnaryOperator<ServiceProcess.Builder> policy = withPolicy(dir.resolve("tick-policy.yaml"),
                OUTSIDE_REQUESTS_UNJUDGED_POLICY);
        return b -> policy.apply(b.env(env, Long.toString(millis)));
    }

    /** Writes {@code yaml} to {@code file} and adds {@code policy=<file>} to the agent's options. */
    public static UnaryOperator<ServiceProcess.Builder> withPolicy(Path file, String yaml) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b -> b.addAgentOption("policy=" + file);
    }

    public static GuardedService start(String testName, GuardedServer server, Jdks.Jdk jdk, String mode, Path dir) {
        return start(testName, server, jdk, mode, dir, UnaryOperator.identity());
    }

    /**
     * {@code GET <route for credentials>?cmd=<cmd>&api=<shape>&dir=<marker dir>} with those credentials (the
     * right API key, or the right BASIC login).
     */
    public HttpTestClient.Get exec(Credentials credentials, String shape, String cmd) {
        return withCredentials(exec(server.route(credentials), shape, cmd), credentials);
    }

    /**
     * {@code GET <file route for credentials>?api=<shape>&path=<path>} with those credentials; add
     * {@code .query("data", ...)} for a write.
     */
    public HttpTestClient.Get file(Credentials credentials, String shape, String path) {
        return withCredentials(HttpTestClient.get(process.baseUri(), server.fileRoute(credentials))
                .query("api", shape).query("path", path), credentials);
    }

    /**
     * Adds what {@code credentials} presents: nothing, the right API key (in the server's {@link
     * GuardedServer#keyHeader()}), or the right BASIC login.
     */
    public HttpTestClient.Get withCredentials(HttpTestClient.Get get, Credentials credentials) {
        return switch (credentials) {
            case NONE -> get;
            case API_KEY -> get.header(server.keyHeader(), secrets.apiKey());
            case USER_LOGIN -> get.basic(secrets.opsUser(), secrets.opsPassword());
        };
    }

    /** The server JVM's process id (what {@code /proc/self} means inside it). */
    public long pid() {
        return process.handle().pid();
    }

    /** {@code GET <route>?cmd=<cmd>&api=<shape>&dir=<marker dir>} with no credentials (yet). */
    public HttpTestClient.Get exec(String route, String shape, String cmd) {
        return HttpTestClient.get(process.baseUri(), route)
                .query("cmd", cmd).query("api", shape).query("dir", markers.toString());
    }

    /** A fresh path in {@link #markers()} for a command to create; fails if it already exists. */
    public Path marker(String name) {
        Path marker = markers.resolve(name.replaceAll("[^A-Za-z0-9._-]", "_"));
        if (Files.exists(marker)) {
            throw new IllegalStateException("marker reused: " + marker);
        }
        if (marker.toString().matches(".*\\s.*")) {
            throw new IllegalStateException("exec-string splits on whitespace; marker path has some: " + marker);
        }
        return marker;
    }

    public GuardedServer server() {
        return server;
    }

    public Jdks.Jdk jdk() {
        return jdk;
    }

    public String mode() {
        return mode;
    }

    public boolean blocking() {
        return mode.equals("block");
    }

    public Secrets secrets() {
        return secrets;
    }

    public EventLog events() {
        return events;
    }

    public ServiceProcess process() {
        return process;
    }

    /** The per-test directory holding {@code events.jsonl}, {@code cwd/} and {@code markers/}. */
    public Path dir() {
        return dir;
    }

    /** The server JVM's working directory (where shapes without {@code dir} run commands). */
    public Path workingDirectory() {
        return workingDirectory;
    }

    /** Where markers go; also the {@code dir=} of every exec request. */
    public Path markers() {
        return markers;
    }

    /** Stops the JVM (see {@link ServiceProcess#close()}) and keeps a copy of the events next to its log. */
    @Override
    public void close() {
        try {
            process.close();
        } finally {
            Path copy = process.logFile().resolveSibling(process.logFile().getFileName().toString()
                    .replaceFirst("\\.log$", "") + ".events.jsonl");
            try {
                if (Files.exists(events.file())) {
                    Files.copy(events.file(), copy, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException ignored) {
                // a debugging aid only
            }
        }
    }

    @Override
    public String toString() {
        return server.id() + " on " + jdk.label() + " mode=" + mode;
    }
}
