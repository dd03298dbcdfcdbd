package dev.hostguard.benchmarks;

import java.io.IOException;
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
 * Starting {@code /bin/true} and waiting for it ({@code ProcessBuilder.start().waitFor()}), without HostGuard, with it
 * outside a request ({@code start_agent}) and with it inside a logged-in user's request
 * ({@code startInRequest_agent}, {@link Requests.LoggedIn}: classified, allowed). A guarded request's process start
 * is refused, which is not an overhead. Reported in µs: a start is about a millisecond.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ProcessStartBenchmark {
    private final ProcessBuilder command = new ProcessBuilder("/bin/true");
    private long eventsBefore;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws IOException, InterruptedException {
        Agent.requireConfiguration(params);
        if (start() != 0) {
            throw new IllegalStateException("/bin/true did not exit 0");
        }
        eventsBefore = Agent.eventsSize();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Agent.requireNoEventsSince(eventsBefore);
    }

    /** No agent. */
    @Benchmark
    public int start() throws IOException, InterruptedException {
        return command.start().waitFor();
    }

    /** HostGuard attached, outside a request. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public int start_agent() throws IOException, InterruptedException {
        return start();
    }

    /** HostGuard attached, inside a logged-in user's request. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public int startInRequest_agent(Requests.LoggedIn request) throws IOException, InterruptedException {
        return start();
    }
}
