package dev.hostguard.benchmarks;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The JVM configurations the benchmarks fork, and the checks that a fork really runs the one it asked for.
 *
 * <p>A benchmark with HostGuard names {@link #BLOCK} in its {@code @Fork(jvmArgsAppend = ...)}; one without names
 * nothing. Its trial {@code @Setup} calls {@link #requireConfiguration(BenchmarkParams)}, which fails the run when
 * the fork's agent does not match its annotation (a missing jar, or {@code -jvmArgs}/{@code -jvmArgsAppend} on the
 * command line, which replace the annotation's options), so a "with agent" figure is never a figure without it.
 */
public final class Agent {
    /** The agent jar, fixed at build time (see {@link BuildPaths}). */
    public static final String JAR = BuildPaths.AGENT_JAR;

    /** Where an attached agent writes its events. Outside a request it must write none. */
    public static final String EVENTS = BuildPaths.EVENTS_FILE;

    /** HostGuard attached in block mode, the mode that does the most. */
    public static final String BLOCK = "-javaagent:" + JAR + "=mode=block,events=" + EVENTS;

    /** Block mode with a policy that judges operations outside requests too ({@code outside-request: log}). */
    public static final String BLOCK_OUTSIDE_LOG = BLOCK + ",policy=" + BuildPaths.POLICIES
            + "/outside-request-log.yaml";

    /** The facade the hooks call; the agent defines it in the boot loader at start-up. */
    static final String HOOKS = "dev.hostguard.agent.bootstrap.Hooks";

    private Agent() {
    }

    /** Whether HostGuard is attached to this JVM: its facade is in the boot loader. */
    public static boolean attached() {
        try {
            Class.forName(HOOKS, false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * Fails unless this fork runs with HostGuard exactly when the benchmark's {@code @Fork} asks for it.
     *
     * @throws IllegalStateException with what is wrong and how to fix it
     */
    public static void requireConfiguration(BenchmarkParams params) {
        boolean wanted = wantsAgent(params.getBenchmark());
        if (wanted && !attached()) {
            throw new IllegalStateException(params.getBenchmark() + " must run with HostGuard attached ("
                    + BLOCK + ") but " + HOOKS + " is not in the boot loader. Fork JVM options: "
                    + params.getJvmArgs() + ". Is " + JAR + " built (mvn -B -q -DskipTests package)? Options "
                    + "-jvmArgs/-jvmArgsAppend on the command line replace the benchmark's own: use "
                    + "-jvmArgsPrepend instead.");
        }
        if (!wanted && attached()) {
            throw new IllegalStateException(params.getBenchmark() + " must run without HostGuard, but it is "
                    + "attached. Fork JVM options: " + params.getJvmArgs());
        }
    }

    /** The size of the events file now; -1 when it does not exist. */
    public static long eventsSize() {
        try {
            Path events = Path.of(EVENTS);
            return Files.exists(events) ? Files.size(events) : -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Fails when the agent wrote events since {@code before} ({@link #eventsSize()}): none are due outside a request.
     * The refusals of {@link Requests}' own probe (a read of the environment that tells a guarded fake request from a
     * user's) are the one expected kind and are left out.
     */
    public static void requireNoEventsSince(long before) {
        long from = Math.max(before, 0);
        if (eventsSize() <= from) {
            return;
        }
        List<String> unexpected = new ArrayList<>();
        try (RandomAccessFile events = new RandomAccessFile(EVENTS, "r")) {
            events.seek(from);
            byte[] written = new byte[(int) (events.length() - from)];
            events.readFully(written);
            for (String line : new String(written, StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.contains(Requests.PROBE_FRAME)) {
                    unexpected.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!unexpected.isEmpty()) {
            throw new IllegalStateException("HostGuard wrote " + unexpected.size() + " events to " + EVENTS
                    + " outside any request; it must write none. The first: " + unexpected.get(0));
        }
    }

    /** Whether the benchmark method's {@code @Fork} (or its class's) appends {@link #BLOCK}. */
    private static boolean wantsAgent(String benchmark) {
        int dot = benchmark.lastIndexOf('.');
        Class<?> type;
        try {
            type = Class.forName(benchmark.substring(0, dot));
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("no benchmark class for " + benchmark, e);
        }
        String name = benchmark.substring(dot + 1);
        Method method = Arrays.stream(type.getMethods()).filter(m -> m.getName().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no benchmark method " + benchmark));
        // JMH merges @Fork attribute by attribute: the method's jvmArgsAppend, when given, else the class's
        for (Fork fork : new Fork[] {method.getAnnotation(Fork.class), type.getAnnotation(Fork.class)}) {
            if (fork != null && !(fork.jvmArgsAppend().length == 1 && Fork.BLANK_ARGS.equals(fork.jvmArgsAppend()[0]))) {
                return Arrays.stream(fork.jvmArgsAppend()).anyMatch(a -> a.startsWith(BLOCK));
            }
        }
        return false;
    }
}
