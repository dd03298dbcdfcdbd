package dev.hostguard.it;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A JVM the tests start (a guarded service, or a JVM expected to refuse to start), built by {@link #builder}.
 *
 * <p>Its stdout and stderr are pumped, line by line, into {@code target/it-logs/<TestName>-<n>.log} and kept in
 * memory, stream by stream, so tests can wait on a line (bounded, woken by each new line, no fixed sleeps) and
 * assert on what each stream carried. {@link #close()} ends the JVM and everything it started
 * ({@link ProcessHandle#descendants()}); a JVM shutdown hook does the same for anything a failed or aborted run
 * left behind. A line the agent printed at {@code WARN}/{@code ERROR} level fails the test unless allowed.
 */
public final class ServiceProcess implements AutoCloseable {

    /** The two output streams of the child JVM. */
    public enum Stream { STDOUT, STDERR }

    /** One line of output and the stream it came from. */
    public record Line(Stream stream, String text) {
    }

    /** How a JVM ended: its exit code and everything it printed. */
    public record Exit(int code, List<String> stdout, List<String> stderr) {
    }

    /** An agent diagnostic at a level that means something went wrong. */
    public static final Pattern AGENT_PROBLEM =
            Pattern.compile("^\\[hostguard\\]\\s*\\[?(WARN|WARNING|ERROR|SEVERE|FATAL)\\b", Pattern.CASE_INSENSITIVE);

    /** Readiness lines of the demo and of the httpserver app: {@code ... listening on http://127.0.0.1:<port>}. */
    public static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

    private static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(90);
    private static final Map<String, AtomicInteger> LOG_COUNTERS = new ConcurrentHashMap<>();
    private static final Set<ServiceProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (ServiceProcess service : LIVE) {
                service.killNow();
            }
        }, "it-kill-services"));
    }

    private final String label;
    private final Process process;
    private final Path logFile;
    private final BufferedWriter log;
    private final List<Line> lines = new ArrayList<>();
    private final List<Pattern> allowedAgentProblems;
    private final List<Thread> pumps = new ArrayList<>();
    private int openStreams = 2;
    private boolean closed;
    private boolean exitLogged;
    private int port = -1;

    private ServiceProcess(Builder b, List<String> command) throws IOException {
        this.label = b.label;
        this.allowedAgentProblems = List.copyOf(b.allowedAgentProblems);
        int n = LOG_COUNTERS.computeIfAbsent(b.testName, k -> new AtomicInteger()).incrementAndGet();
        this.logFile = BuiltArtifacts.logsDir().resolve(b.testName + "-" + n + ".log");
        this.log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8);
        log.write("# " + label + "\n# command: " + String.join(" ", command) + "\n# env set: "
                + String.join(",", b.env.keySet()) + "\n# working directory: " + b.workingDirectory + "\n");
        log.flush();

        ProcessBuilder pb = new ProcessBuilder(command).directory(b.workingDirectory.toFile());
        Map<String, String> env = pb.environment();
        // a developer's own settings must not change what the tests see
        env.keySet().removeIf(k -> k.startsWith("HOSTGUARD_") || k.equals("JAVA_TOOL_OPTIONS")
                || k.equals("JDK_JAVA_OPTIONS") || k.equals("_JAVA_OPTIONS") || k.equals("CLASSPATH"));
        env.putAll(b.env);
        this.process = pb.start();
        LIVE.add(this);
        process.getOutputStream().close();
        pump(process.getInputStream(), Stream.STDOUT);
        pump(process.getErrorStream(), Stream.STDERR);
        process.onExit().thenRun(this::wake);
    }

    /** Starts building the command for one JVM. {@code testName} names the log file. */
    public static Builder builder(String testName, Jdks.Jdk jdk) {
        return new Builder(testName, jdk);
    }

    private void pump(InputStream in, Stream stream) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String text;
                while ((text = r.readLine()) != null) {
                    onLine(new Line(stream, text));
                }
            } catch (IOException e) {
                // the process was killed
            } finally {
                synchronized (this) {
                    openStreams--;
                    notifyAll();
                }
            }
        }, "it-pump-" + stream.name().toLowerCase() + "-" + logFile.getFileName());
        t.setDaemon(true);
        t.start();
        pumps.add(t);
    }

    private synchronized void onLine(Line line) {
        lines.add(line);
        try {
            log.write(line.text());
            log.write('\n');
            log.flush();
        } catch (IOException ignored) {
            // the log file is a convenience; the lines are kept in memory
        }
        notifyAll();
    }

    private synchronized void wake() {
        notifyAll();
    }

    /**
     * Waits, bounded, for a line matching {@code pattern} on either stream.
     *
     * @return the first matching line's matcher, or {@code null} if the JVM ended (and its output was read) or the
     *     time ran out first
     */
    public synchronized Matcher awaitLine(Pattern pattern, Duration timeout) {
        return awaitLine(pattern, 0, timeout);
    }

    /** As {@link #awaitLine(Pattern, Duration)}, among the lines from index {@code from} on ({@link #lines()}). */
    public synchronized Matcher awaitLine(Pattern pattern, int from, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int checked = from;
        while (true) {
            for (; checked < lines.size(); checked++) {
                Matcher m = pattern.matcher(lines.get(checked).text());
                if (m.find()) {
                    return m;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || (!process.isAlive() && openStreams == 0)) {
                return null;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    /** Waits (bounded) for the JVM to end and for all its output to be read; kills it if the time runs out. */
    public Exit awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                close();
                throw new AssertionError(label + " still running after " + timeout + "; killed it. Log " + logFile
                        + ":\n" + tail());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        joinPumps();
        writeExitLine();
        LIVE.remove(this);
        return new Exit(process.exitValue(), lines(Stream.STDOUT), lines(Stream.STDERR));
    }

    private void joinPumps() {
        synchronized (this) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (openStreams > 0 && System.nanoTime() < deadline) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, deadline - System.nanoTime());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** The port parsed from the readiness line. */
    public int port() {
        if (port < 0) {
            throw new IllegalStateException(label + " has not reported a port");
        }
        return port;
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public String label() {
        return label;
    }

    public Path logFile() {
        return logFile;
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Every line so far, both streams, in arrival order. */
    public synchronized List<Line> lines() {
        return List.copyOf(lines);
    }

    /** The lines one stream carried so far. */
    public synchronized List<String> lines(Stream stream) {
        return lines.stream().filter(l -> l.stream() == stream).map(Line::text).toList();
    }

    /** Everything both streams carried so far, one line each. */
    public synchronized String logText() {
        return lines.stream().map(Line::text).collect(Collectors.joining("\n", "", "\n"));
    }

    /** The last lines, for failure messages. */
    public synchronized String tail() {
        int from = Math.max(0, lines.size() - 60);
        return lines.subList(from, lines.size()).stream()
                .map(l -> (l.stream() == Stream.STDERR ? "err| " : "out| ") + l.text())
                .collect(Collectors.joining("\n"));
    }

    /** The agent's {@code WARN}/{@code ERROR} lines so far that no allow pattern covers. */
    public synchronized List<String> unexpectedAgentProblems() {
        return lines.stream().map(Line::text)
                .filter(t -> AGENT_PROBLEM.matcher(t).find())
                .filter(t -> allowedAgentProblems.stream().noneMatch(p -> p.matcher(t).find()))
                .toList();
    }

    /** Fails if the agent printed a {@code WARN}/{@code ERROR} line that was not expected. */
    public void assertNoUnexpectedAgentProblems() {
        List<String> problems = unexpectedAgentProblems();
        if (!problems.isEmpty()) {
            throw new AssertionError(label + ": the agent reported problems (log " + logFile + "):\n  "
                    + String.join("\n  ", problems));
        }
    }

    /**
     * Ends the JVM (politely, then forcibly after a bounded wait) and whatever it started, waits for its output,
     * then fails if the agent printed an unexpected {@code WARN}/{@code ERROR} line.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        List<ProcessHandle> descendants = process.descendants().toList();
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            descendants.forEach(ProcessHandle::destroyForcibly);
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            LIVE.remove(this);
        }
        joinPumps();
        writeExitLine();
        synchronized (this) {
            try {
                log.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
        assertNoUnexpectedAgentProblems();
    }

    private synchronized void writeExitLine() {
        try {
            if (!process.isAlive() && !exitLogged) {
                exitLogged = true;
                log.write("# exited with " + process.exitValue() + "\n");
            }
            log.flush();
        } catch (IOException ignored) {
            // best effort
        }
    }

    private void killNow() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Builds the command line: JDK, agent (or none), JVM options, environment, and jar or main class. */
    public static final class Builder {
        private final String testName;
        private final Jdks.Jdk jdk;
        private String label;
        private Path agentJar;
        private String agentOptions;
        private final List<String> jvmArgs = new ArrayList<>();
        private final List<String> argsBeforeAgent = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private Path jar;
        private String mainClass;
        private final List<Path> classpath = new ArrayList<>();
        private final List<String> appArgs = new ArrayList<>();
        private Path workingDirectory = BuiltArtifacts.logsDir();
        private Pattern readyLine = LISTENING;
        private final List<Pattern> requiredLines = new ArrayList<>();
        private final List<Pattern> allowedAgentProblems = new ArrayList<>();
        private Duration startTimeout = DEFAULT_START_TIMEOUT;

        private Builder(String testName, Jdks.Jdk jdk) {
            this.testName = testName;
            this.jdk = jdk;
            this.label = testName + " on " + jdk.label();
        }

        /** A readable name for messages (the log file is named after the test). */
        public Builder label(String label) {
            this.label = label;
            return this;
        }

        /** {@code -javaagent:<jar>=<options>}; {@code options} may be null or empty. */
        public Builder agent(Path jar, String options) {
            this.agentJar = jar;
            this.agentOptions = options;
            return this;
        }

        /** Appends {@code key=value} to the agent's options (set by {@link #agent} before). */
        public Builder addAgentOption(String keyValue) {
            this.agentOptions = agentOptions == null || agentOptions.isEmpty() ? keyValue : agentOptions + "," + keyValue;
            return this;
        }

        /** JVM options before the agent's {@code -javaagent} (another agent that must start first). */
        public Builder jvmArgsBeforeAgent(String... args) {
            argsBeforeAgent.addAll(List.of(args));
            return this;
        }

        public Builder jvmArgs(String... args) {
            jvmArgs.addAll(List.of(args));
            return this;
        }

        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** Runs {@code java -jar <jar>}. */
        public Builder jar(Path jar) {
            this.jar = jar;
            this.mainClass = null;
            return this;
        }

        /** Runs {@code java -cp <classpath> <mainClass>}. */
        public Builder mainClass(String mainClass, Path... classpath) {
            this.mainClass = mainClass;
            this.jar = null;
            this.classpath.clear();
            this.classpath.addAll(List.of(classpath));
            return this;
        }

        public Builder appArgs(String... args) {
            appArgs.addAll(List.of(args));
            return this;
        }

        public Builder workingDirectory(Path dir) {
            this.workingDirectory = dir;
            return this;
        }

        /**
         * The line that says the service is ready; group 1, if the pattern has one, must be the port (a JVM that
         * serves no TCP port, such as the Docker stand-in, uses a pattern without groups). Default {@link #LISTENING}.
         */
        public Builder readyLine(Pattern pattern) {
            this.readyLine = pattern;
            return this;
        }

        /** A line (either stream) that must have appeared before the service counts as started. */
        public Builder requireLine(Pattern pattern) {
            requiredLines.add(pattern);
            return this;
        }

        /** An agent {@code WARN}/{@code ERROR} line this test expects, so it does not fail the test. */
        public Builder allowAgentProblem(Pattern pattern) {
            allowedAgentProblems.add(pattern);
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        public List<String> command() {
            List<String> cmd = new ArrayList<>();
            cmd.add(jdk.java().toString());
            cmd.addAll(argsBeforeAgent);
            if (agentJar != null) {
                cmd.add("-javaagent:" + agentJar + (agentOptions == null || agentOptions.isEmpty() ? "" : "=" + agentOptions));
            }
            cmd.addAll(jvmArgs);
            if (jar != null) {
                cmd.add("-jar");
                cmd.add(jar.toString());
            } else if (mainClass != null) {
                cmd.add("-cp");
                cmd.add(classpath.stream().map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator)));
                cmd.add(mainClass);
            } else {
                throw new IllegalStateException("neither jar nor main class set");
            }
            cmd.addAll(appArgs);
            return cmd;
        }

        /** Starts the JVM without waiting for anything (for JVMs expected to exit). */
        public ServiceProcess launch() {
            try {
                return new ServiceProcess(this, command());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + label, e);
            }
        }

        /**
         * Starts the JVM and waits (bounded) for its readiness line and every required line. On failure the JVM is
         * killed and the test fails with the end of its log.
         */
        public ServiceProcess start() {
            ServiceProcess service = launch();
            try {
                Matcher ready = service.awaitLine(readyLine, startTimeout);
                if (ready == null) {
                    throw new AssertionError(service.label + (service.isAlive() ? " not ready after " + startTimeout
                            : " exited with " + service.process.exitValue() + " before it was ready")
                            + "; log " + service.logFile + ":\n" + service.tail());
                }
                if (ready.groupCount() >= 1 && ready.group(1) != null) {
                    service.port = Integer.parseInt(ready.group(1));
                }
                for (Pattern required : requiredLines) {
                    if (service.awaitLine(required, startTimeout) == null) {
                        throw new AssertionError(service.label + ": no line matching /" + required + "/; log "
                                + service.logFile + ":\n" + service.tail());
                    }
                }
                service.assertNoUnexpectedAgentProblems();
                return service;
            } catch (RuntimeException | Error e) {
                try {
                    service.close();
                } catch (RuntimeException | Error suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
    }

    /** True if some line so far matches. */
    public synchronized boolean anyLine(Predicate<String> test) {
        return lines.stream().map(Line::text).anyMatch(test);
    }
}
