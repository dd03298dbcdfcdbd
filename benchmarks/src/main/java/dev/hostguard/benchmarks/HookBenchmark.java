package dev.hostguard.benchmarks;

import dev.hostguard.agent.bootstrap.Hooks;
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
 * The hooks' bodies alone, called directly as the inlined advice calls them.
 *
 * <ul>
 *   <li>{@code fileOpen}: {@link Hooks#fileOpen(Object, boolean)} outside any request, against an empty method and
 *       a read of a thread-local of our own (what the hook's first act costs by itself). Target: at most 2 ns and
 *       0 bytes per call.</li>
 *   <li>{@code fileOpenInRequest}: the same hook inside a request ({@link Requests.Any}): a logged-in user's
 *       ({@code user}: classified, allowed; target at most 20 ns and 0 bytes) or a guarded one ({@code api-key},
 *       {@code none}: classified, the path resolved and matched against the rules, allowed: the rules guard no
 *       temp file).</li>
 *   <li>{@code requestEnterExit}: {@link Hooks#requestEnter} and {@link Hooks#requestExit} of a request that
 *       touches nothing, as the server advice calls them. Target: at most 30 ns and 0 bytes.</li>
 *   <li>{@code requestEnterExitNested}: the same request entered twice, one entry inside the other, as on a Netty
 *       server (Micronaut enters at {@code handleNormal} and again where the route runs, on the same event-loop
 *       thread; the entries only compare the request object, so the figure holds for any server's object).
 *       Target: at most 30 ns and 0 bytes.</li>
 * </ul>
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
    /** Never opened, only judged: a temp file that exists. Not final, not folded. */
    private Object path;
    private Path file;
    /** The request {@code requestEnterExit} enters and leaves (not classified: nothing happens inside). */
    private FakeExchange exchange;
    private final ThreadLocal<Object> ownThreadLocal = new ThreadLocal<>();
    /** What {@code SocketChannelImpl} passes: the channel itself (any object: it is looked up by identity). */
    private final Object descriptor = new Object();
    private long eventsBefore;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws IOException {
        Agent.requireConfiguration(params);
        ClassLoader loader = Hooks.class.getClassLoader();
        if (loader != null) {
            throw new IllegalStateException(Agent.HOOKS + " was loaded by " + loader + ", not by the boot loader: "
                    + "HostGuard is not attached as -javaagent, so this would measure a copy the hooks never call");
        }
        file = Files.createTempFile("hostguard-bench-", ".txt");
        path = file.toString();
        exchange = new FakeExchange();
        eventsBefore = Agent.eventsSize();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Files.deleteIfExists(file);
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

    /** The hook as a java.io read open calls it, on a thread inside a request; the rules allow the open. */
    @Benchmark
    public void fileOpenInRequest(Requests.Any request) throws IOException {
        Hooks.fileOpen(path, false);
    }

    /**
     * The socket read/write hook as {@code SocketChannelImpl.write} calls it, with the channel, on a
     * thread in no request, while no runtime connection was ever made: one static read.
     */
    @Benchmark
    public void socketIO() throws IOException {
        Hooks.socketIO(descriptor, true);
    }

    /** The same inside a request (no runtime connection made: the same static read, before the thread-local). */
    @Benchmark
    public void socketIOInRequest(Requests.Any request) throws IOException {
        Hooks.socketIO(descriptor, true);
    }

    /**
     * A connection to a runtime remembered for the whole fork, as a Docker client's pool keeps one: every socket
     * read and write then finds the table non-empty. (The benchmark's own object, so nothing is judged.)
     */
    @State(Scope.Benchmark)
    public static class RuntimeOpen {
        private final Object pooled = new Object();

        @Setup(Level.Trial)
        public void remember() {
            dev.hostguard.agent.bootstrap.RuntimeConnections.remember(pooled, "a runtime connection");
        }
    }

    /** The socket hook with a runtime connection open, on a thread in no request: the thread-local read more. */
    @Benchmark
    public void socketIORuntimeOpen(RuntimeOpen open) throws IOException {
        Hooks.socketIO(descriptor, true);
    }

    /** The same inside a guarded request: the ordinary channel is looked up in the table and not found. */
    @Benchmark
    public void socketIOInRequestRuntimeOpen(Requests.Guarded request, RuntimeOpen open) throws IOException {
        Hooks.socketIO(descriptor, true);
    }

    /** A request entered and left with nothing in between (the thread's scope object is reused). */
    @Benchmark
    public Throwable requestEnterExit() {
        return Hooks.requestExit(Hooks.requestEnter(exchange, exchange), null);
    }

    /** A request entered at the server's entry and again where its route runs, inside the first. */
    @Benchmark
    public Throwable requestEnterExitNested() {
        Object outer = Hooks.requestEnter(exchange, exchange);
        Hooks.requestExit(Hooks.requestEnter(exchange, exchange), null);
        return Hooks.requestExit(outer, null);
    }
}
