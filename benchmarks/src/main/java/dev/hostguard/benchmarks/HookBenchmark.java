package dev.hostguard.benchmarks;

import dev.hostguard.agent.bootstrap.Hooks;
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
 * The file-open hook's body alone, outside any request: {@link Hooks#fileOpen(Object, boolean)} called directly,
 * as the advice inlined into {@code FileInputStream.open} calls it, against an empty method and a read of a
 * thread-local of our own (what the hook's first act costs by itself). Target: at most 2 ns and 0 bytes per call.
 *
 * <p>Always forked with HostGuard attached: {@code Hooks} must be the class the agent defined in the boot loader,
 * with the agent's handler installed, not a copy from the class path.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = Agent.BLOCK)
@State(Scope.Thread)
public class HookBenchmark {
    /** Never opened: the hook only passes it on, and outside a request not even that. Not final, not folded. */
    private Object path = "/tmp/hostguard-bench/never-opened";
    private final ThreadLocal<Object> ownThreadLocal = new ThreadLocal<>();
    private long eventsBefore;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        Agent.requireConfiguration(params);
        ClassLoader loader = Hooks.class.getClassLoader();
        if (loader != null) {
            throw new IllegalStateException(Agent.HOOKS + " was loaded by " + loader + ", not by the boot loader: "
                    + "HostGuard is not attached as -javaagent, so this would measure a copy the hooks never call");
        }
        eventsBefore = Agent.eventsSize();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Agent.requireNoEventsSince(eventsBefore);
    }

    /** Nothing: the cost of the benchmark loop itself. */
    @Benchmark
    public void baseline() {
        // empty on purpose
    }

    /** One {@code ThreadLocal.get()} that finds no value (returned, so it is not eliminated). */
    @Benchmark
    public Object threadLocalRead() {
        return ownThreadLocal.get();
    }

    /** The hook as a java.io read open calls it, on a thread that is in no request. */
    @Benchmark
    public void fileOpen() throws IOException {
        Hooks.fileOpen(path, false);
    }
}
