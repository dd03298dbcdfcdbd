package dev.hostguard.benchmarks;

import dev.hostguard.agent.bootstrap.Hooks;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
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
 * A TCP connect on loopback that matches no network rule (an ephemeral port of 127.0.0.1), through
 * {@code sun.nio.ch.Net.connect}: {@code SocketChannel.open(address)}, the listener's {@code accept()}, both closed;
 * without HostGuard, with it outside any request, and inside a request ({@link Requests.Any}: a user's, or a guarded
 * {@code api-key} or {@code none} one, where the destination is matched against the rules and nothing is refused).
 * {@code hookInRequest_agent}: {@code Hooks.networkConnect(address, port)} alone, called as the advice calls it,
 * inside the request: the judging's own cost, without the system calls around it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class NetworkConnectBenchmark {
    private ServerSocketChannel server;
    private InetSocketAddress address;
    private InetAddress loopback;
    private int port;
    private long eventsBefore;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws IOException {
        Agent.requireConfiguration(params);
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 512);
        address = (InetSocketAddress) server.getLocalAddress();
        loopback = address.getAddress();
        port = address.getPort();
        eventsBefore = Agent.eventsSize();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        server.close();
        Agent.requireNoEventsSince(eventsBefore);
    }

    private void connectOnce() throws IOException {
        try (SocketChannel client = SocketChannel.open(address); SocketChannel accepted = server.accept()) {
            if (accepted == null) {
                throw new IllegalStateException("not accepted");
            }
        }
    }

    /** A loopback connect and accept, no agent. */
    @Benchmark
    public void connect() throws IOException {
        connectOnce();
    }

    /** The same, HostGuard attached, outside any request. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public void connect_agent() throws IOException {
        connectOnce();
    }

    /** The same inside a request, HostGuard attached. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public void connectInRequest_agent(Requests.Any request) throws IOException {
        connectOnce();
    }

    /** The hook alone, as the advice calls it, inside a request: a destination no rule names. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public void hookInRequest_agent(Requests.Any request) throws IOException {
        Hooks.networkConnect(loopback, port);
    }
}
