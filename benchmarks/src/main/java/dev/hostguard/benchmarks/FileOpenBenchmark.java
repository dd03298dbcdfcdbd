package dev.hostguard.benchmarks;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * A file open and close outside any request, through java.io ({@code FileInputStream.open}) and NIO
 * ({@code UnixNativeDispatcher.open}), without HostGuard and with it attached in block mode. Each method runs in a
 * JVM of its own; a {@code *_agent} method is its plain twin with {@code -javaagent}, so the two sort next to each
 * other in the report. Outside a request ({@code javaIo}, {@code nio} and their twins) each open with the agent costs
 * the hook's one thread-local read and nothing more. {@code *InRequest_agent}: the same open inside a request
 * ({@link Requests.Any}: a logged-in user's, or a guarded {@code api-key} or {@code none} one, where the path is
 * resolved and matched; the rules guard no temp file, so the open goes ahead): its figure without HostGuard is the
 * plain {@code javaIo} or {@code nio}, since without the agent there is no request to be in.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class FileOpenBenchmark {
    private Path path;
    private File file;
    private long eventsBefore;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws IOException {
        Agent.requireConfiguration(params);
        path = Files.createTempFile("hostguard-bench-", ".txt");
        Files.write(path, new byte[64]);
        file = path.toFile();
        eventsBefore = Agent.eventsSize();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Files.deleteIfExists(path);
        Agent.requireNoEventsSince(eventsBefore);
    }

    /** {@code new FileInputStream(file).close()}, no agent. */
    @Benchmark
    public void javaIo() throws IOException {
        new FileInputStream(file).close();
    }

    /** {@code new FileInputStream(file).close()}, HostGuard attached. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public void javaIo_agent() throws IOException {
        new FileInputStream(file).close();
    }

    /**
     * {@code new FileInputStream(file).close()}, HostGuard attached with a policy that judges operations outside
     * requests ({@code outside-request: log}): each open is resolved and looked up, as inside a guarded request.
     */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK_OUTSIDE_LOG)
    public void javaIo_agentOutsideLog() throws IOException {
        new FileInputStream(file).close();
    }

    /** {@code Files.newInputStream(path).close()}, no agent. */
    @Benchmark
    public void nio() throws IOException {
        Files.newInputStream(path).close();
    }

    /** {@code Files.newInputStream(path).close()}, HostGuard attached. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public void nio_agent() throws IOException {
        Files.newInputStream(path).close();
    }

    /** {@code Files.newInputStream(path).close()}, HostGuard judging outside requests (see {@link #javaIo_agentOutsideLog}). */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK_OUTSIDE_LOG)
    public void nio_agentOutsideLog() throws IOException {
        Files.newInputStream(path).close();
    }

    /** {@code new FileInputStream(file).close()} inside a request, HostGuard attached. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public void javaIoInRequest_agent(Requests.Any request) throws IOException {
        new FileInputStream(file).close();
    }

    /** {@code Files.newInputStream(path).close()} inside a request, HostGuard attached. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public void nioInRequest_agent(Requests.Any request) throws IOException {
        Files.newInputStream(path).close();
    }
}
