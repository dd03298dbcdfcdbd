package dev.hostguard.it;

import dev.hostguard.demo.dockerstandin.DockerStandIn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The demo's {@link DockerStandIn} as its own JVM, started the way the README shows ({@code java -cp
 * hostguard-demo.jar ...DockerStandIn <socket> <record>}, without the agent), on {@code <dir>/docker/docker.sock},
 * recording every connection it accepted into {@code <dir>/stand-in.jsonl}, one JSON line each. The stand-in serves
 * connections one at a time, in order: once a later request's line is in the record, a connection that has no line
 * before it never happened.
 */
final class DockerStandInProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile(Pattern.quote(DockerStandIn.READY_PREFIX));
    private static final Pattern TCP_READY = Pattern.compile(Pattern.quote(DockerStandIn.TCP_READY_PREFIX)
            + "127\\.0\\.0\\.1:(\\d+)");

    private final Path dir;
    private final Path socket;
    private final Path record;
    private final boolean keepAlive;
    private final boolean tcp;
    private ServiceProcess process;

    /** Names its socket and record in {@code dir}; {@link #start} starts it. */
    DockerStandInProcess(Path dir) {
        this(dir, false);
    }

    /**
     * @param keepAlive serve as the Docker daemon does ({@code --keep-alive}): each connection on its own thread,
     *                  request after request, its lines naming it, one more line when it closes
     */
    DockerStandInProcess(Path dir, boolean keepAlive) {
        this(dir, keepAlive, false);
    }

    /**
     * @param tcp listen on {@code 127.0.0.1} TCP (a port the system picks) instead of {@code <dir>/docker/docker.sock},
     *            as a daemon started with {@code -H tcp://} does
     */
    DockerStandInProcess(Path dir, boolean keepAlive, boolean tcp) {
        this.keepAlive = keepAlive;
        this.tcp = tcp;
        this.dir = dir;
        this.socket = dir.resolve("docker").resolve("docker.sock");
        this.record = dir.resolve("stand-in.jsonl");
    }

    /** Starts the stand-in's JVM on {@code jdk} and waits (bounded) until it listens. */
    void start(String testName, Jdks.Jdk jdk, String label) throws IOException {
        Files.createDirectories(dir);
        process = ServiceProcess.builder(testName, jdk)
                .label(label)
                .mainClass(DockerStandIn.class.getName(), BuiltArtifacts.demoJar())
                .appArgs(keepAlive ? new String[] {listenOn(), record.toString(), "--keep-alive"}
                        : new String[] {listenOn(), record.toString()})
                .workingDirectory(dir)
                .readyLine(tcp ? TCP_READY : READY)
                .start();
    }

    /** The TCP port it listens on, once started on TCP. */
    int port() {
        return process.port();
    }

    private String listenOn() {
        return tcp ? "tcp://127.0.0.1:0" : socket.toString();
    }

    /** {@code unix://<socket>}, or {@code tcp://127.0.0.1:<port>} once started on TCP: a service's {@code DOCKER_HOST}. */
    String dockerHost() {
        return tcp ? "tcp://127.0.0.1:" + process.port() : "unix://" + socket;
    }

    /** The socket as the service is told it (its parent not resolved: a canonical path may differ). */
    Path socket() {
        return socket;
    }

    Path record() {
        return record;
    }

    /** Whether {@link #start} succeeded. */
    boolean started() {
        return process != null;
    }

    /** Every line recorded so far. */
    List<String> recorded() {
        try {
            return Files.exists(record) ? Files.readAllLines(record, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines recorded after the first {@code before}. */
    List<String> recordedSince(int before) {
        List<String> all = recorded();
        return all.subList(Math.min(before, all.size()), all.size());
    }

    /** Stops the stand-in (it removes its socket on exit). */
    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
    }
}
