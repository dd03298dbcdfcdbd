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
 *   <li>{@code fileOpenInRequest}: a read-only open's hooks inside a request ({@link Requests.Any}), before and
 *       after the open (a descriptor opened in set-up): a logged-in user's ({@code user}: once the request is
 *       classified as a user's, nothing more; target at most 20 ns and 0 bytes) or a guarded one ({@code api-key},
 *       {@code none}: the path matched as spelled, then the descriptor's path and identity read from the kernel and
 *       matched, allowed: the rules guard no temp file; never classified). {@code fileOpeningInRequest} and
 *       {@code fileOpenedInRequest} measure the two parts apart; {@code fileOpenResolvedInRequest} the judging of
 *       an open before it on its resolved canonical path (what every open paid before, and what writes still pay).</li>
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
    /** A descriptor open on {@link #file} for the whole trial, as the open of a read would have made it. */
    private java.io.FileInputStream openStream;
    private int open;
    private static final int AT_FDCWD = -100;
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
        openStream = new java.io.FileInputStream(file.toFile()); // outside any request: nothing judged
        open = descriptorOf(file);
        exchange = new FakeExchange();
        eventsBefore = Agent.eventsSize();
    }

    /** The number of this process's descriptor open on {@code target}, found in {@code /proc/self/fd}. */
    private static int descriptorOf(Path file) throws IOException {
        Path target = file.toRealPath();
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).equals(target)) {
                        return Integer.parseInt(fd.getFileName().toString());
                    }
                } catch (IOException gone) {
                    // the listing's own descriptor
                }
            }
        }
        throw new IllegalStateException("no descriptor open on " + target);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        openStream.close();
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

    /**
     * What a read-only open pays inside a request, both parts, as the read advice calls them: before the open the
     * path as spelled is matched ({@link Hooks#fileOpening}); after it, the descriptor ({@code open} here: a
     * descriptor of the same file, opened in set-up) is read from the kernel and matched
     * ({@link Hooks#fileOpened}: {@code readlink} of {@code /proc/self/fd/<n>} and an {@code fstat}). The rules
     * allow the open.
     */
    @Benchmark
    public void fileOpenInRequest(Requests.Any request) throws IOException {
        Hooks.fileOpened(Hooks.fileOpening(path, 0), open, AT_FDCWD, path);
    }

    /** The part before the open alone: the path as spelled matched against the rules, no system call. */
    @Benchmark
    public boolean fileOpeningInRequest(Requests.Any request) throws IOException {
        return Hooks.fileOpening(path, 0);
    }

    /** The part after the open alone: the descriptor's path and identity read from the kernel and matched. */
    @Benchmark
    public void fileOpenedInRequest(Requests.Any request) throws IOException {
        Hooks.fileOpened(true, open, AT_FDCWD, path);
    }

    /**
     * The judging of an open before it happens, on the name resolved to its canonical path (a system call per
     * component): what every open inside a guarded request paid before reads were judged on their descriptor, and
     * what an open that writes, creates or truncates still pays.
     */
    @Benchmark
    public void fileOpenResolvedInRequest(Requests.Any request) throws IOException {
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
