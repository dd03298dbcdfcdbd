package dev.hostguard.benchmarks;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
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
 * Listing a temp directory of four files, through java.io ({@code File.list}) and NIO
 * ({@code Files.newDirectoryStream}, read to the end), without HostGuard, with it outside a request
 * ({@code *_agent}), and with it inside a request ({@code *InRequest_agent}, {@link Requests.Any}; the rules guard no
 * temp directory, so the listing goes ahead; its figure without HostGuard is the plain one).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class DirectoryListBenchmark {
    private static final int FILES = 4;

    private Path directory;
    private File file;
    private long eventsBefore;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws IOException {
        Agent.requireConfiguration(params);
        directory = Files.createTempDirectory("hostguard-bench-");
        for (int i = 0; i < FILES; i++) {
            Files.write(directory.resolve("file-" + i), new byte[16]);
        }
        file = directory.toFile();
        if (javaIo() != FILES || nio() != FILES) {
            throw new IllegalStateException("the listing of " + directory + " must find " + FILES + " files");
        }
        eventsBefore = Agent.eventsSize();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                Files.delete(entry);
            }
        }
        Files.delete(directory);
        Agent.requireNoEventsSince(eventsBefore);
    }

    /** {@code File.list()}, no agent. */
    @Benchmark
    public int javaIo() {
        return file.list().length;
    }

    /** {@code File.list()}, HostGuard attached. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public int javaIo_agent() {
        return file.list().length;
    }

    /** {@code File.list()} inside a request, HostGuard attached. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public int javaIoInRequest_agent(Requests.Any request) {
        return file.list().length;
    }

    /** {@code Files.newDirectoryStream(directory)}, every entry read, no agent. */
    @Benchmark
    public int nio() throws IOException {
        int n = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path ignored : entries) {
                n++;
            }
        }
        return n;
    }

    /** As {@link #nio()}, HostGuard attached. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public int nio_agent() throws IOException {
        return nio();
    }

    /** As {@link #nio()} inside a request, HostGuard attached. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public int nioInRequest_agent(Requests.Any request) throws IOException {
        return nio();
    }
}
