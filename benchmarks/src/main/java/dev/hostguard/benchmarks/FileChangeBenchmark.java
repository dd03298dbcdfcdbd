package dev.hostguard.benchmarks;

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
 * Ordinary changes of the file system, in a temp directory no rule protects: a rename ({@code Files.move}, one
 * {@code rename(2)}; the file goes back and forth) and a directory made and deleted ({@code Files.createDirectory}
 * then {@code Files.delete}: {@code mkdir} and {@code rmdir}), without HostGuard, with it outside a request (the
 * hook's thread-local read), and inside a request ({@link Requests.Any}: a logged-in user's, where nothing is
 * resolved; an API key's or nobody's, where each path the change touches is resolved to its canonical form and
 * looked up, as an open's is, and the change goes ahead).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class FileChangeBenchmark {
    private Path dir;
    private Path a;
    private Path b;
    private Path made;
    private boolean atA = true;
    private long eventsBefore;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws IOException {
        Agent.requireConfiguration(params);
        dir = Files.createTempDirectory("hostguard-bench-");
        a = Files.writeString(dir.resolve("a"), "x");
        b = dir.resolve("b");
        made = dir.resolve("d");
        eventsBefore = Agent.eventsSize();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Files.deleteIfExists(a);
        Files.deleteIfExists(b);
        Files.deleteIfExists(made);
        Files.deleteIfExists(dir);
        Agent.requireNoEventsSince(eventsBefore);
    }

    private Path rename() throws IOException {
        Path to = atA ? Files.move(a, b) : Files.move(b, a);
        atA = !atA;
        return to;
    }

    private void mkdirDelete() throws IOException {
        Files.createDirectory(made);
        Files.delete(made);
    }

    /** {@code Files.move} back and forth, no agent. */
    @Benchmark
    public Path rename_plain() throws IOException {
        return rename();
    }

    /** {@code Files.move}, HostGuard attached, outside any request. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public Path rename_agent() throws IOException {
        return rename();
    }

    /** {@code Files.move} inside a request, HostGuard attached. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public Path renameInRequest_agent(Requests.Any request) throws IOException {
        return rename();
    }

    /** {@code Files.createDirectory} then {@code Files.delete}, no agent. */
    @Benchmark
    public void mkdirDelete_plain() throws IOException {
        mkdirDelete();
    }

    /** The same, HostGuard attached, outside any request. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public void mkdirDelete_agent() throws IOException {
        mkdirDelete();
    }

    /** The same inside a request, HostGuard attached. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public void mkdirDeleteInRequest_agent(Requests.Any request) throws IOException {
        mkdirDelete();
    }
}
