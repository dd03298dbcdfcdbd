package dev.hostguard.benchmarks;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.ByteBuffer;
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
 * I/O on an ordinary Netty epoll socket (4.2.18): 64 bytes sent on one end of a connected Unix-domain pair
 * ({@code app.sock}, which no rule guards) and received on the other, on the measuring thread: two
 * {@code io.netty.channel.unix.Socket} calls, {@code send} and {@code recv}, each hooked
 * ({@code NettyNativeSocketHooks}: {@code Hooks.socketIO} before the native call), without HostGuard and with it
 * attached in block mode. As {@link SocketIoBenchmark}: {@code _agent} with no runtime connection made (one static
 * read), {@code _agentRuntimeOpen} with a Netty connection to a runtime socket ({@code docker.sock}) made outside any
 * request and kept, and the same inside a guarded request (the identity look-up of the ordinary socket, which finds
 * nothing). None writes an event.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class NettyNativeIoBenchmark {
    private Path dir;
    private LinuxSocket server;
    private LinuxSocket client;
    private LinuxSocket peer;
    private LinuxSocket runtime;
    private LinuxSocket runtimeClient;
    private final ByteBuffer out = ByteBuffer.allocateDirect(64);
    private final ByteBuffer in = ByteBuffer.allocateDirect(64);
    private long eventsBefore;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws IOException {
        Agent.requireConfiguration(params);
        Epoll.ensureAvailability();
        dir = Files.createTempDirectory("hostguard-bench-netty-");
        server = listen(dir.resolve("app.sock"));
        client = LinuxSocket.newSocketDomain();
        connect(client, dir.resolve("app.sock"));
        peer = accept(server);
        if (params.getBenchmark().endsWith("RuntimeOpen")) {
            // a pooled runtime connection, made outside any request as a client's pool or start-up code does
            runtime = listen(dir.resolve("docker.sock"));
            runtimeClient = LinuxSocket.newSocketDomain();
            connect(runtimeClient, dir.resolve("docker.sock"));
            if (dev.hostguard.agent.bootstrap.RuntimeConnections.none()) {
                throw new IllegalStateException("the Netty connection to docker.sock was not remembered");
            }
        }
        eventsBefore = Agent.eventsSize();
    }

    private static LinuxSocket listen(Path path) throws IOException {
        LinuxSocket socket = LinuxSocket.newSocketDomain();
        socket.bind(new DomainSocketAddress(path.toString()));
        socket.listen(8);
        return socket;
    }

    private static void connect(LinuxSocket socket, Path path) throws IOException {
        if (!socket.connect(new DomainSocketAddress(path.toString()))) {
            throw new IOException("connect to " + path + " in progress");
        }
    }

    private static LinuxSocket accept(LinuxSocket server) throws IOException {
        int fd = server.accept(new byte[26]);
        if (fd < 0) {
            throw new IOException("nothing to accept");
        }
        return LinuxSocket.newSocket(fd);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        for (LinuxSocket s : new LinuxSocket[] {client, peer, server, runtimeClient, runtime}) {
            if (s != null) {
                s.close();
            }
        }
        Files.deleteIfExists(dir.resolve("app.sock"));
        Files.deleteIfExists(dir.resolve("docker.sock"));
        Files.deleteIfExists(dir);
        Agent.requireNoEventsSince(eventsBefore);
    }

    private int roundTrip() throws IOException {
        int sent = client.send(out, 0, 64);
        int n = 0;
        while (n < sent) {
            n += peer.recv(in, n, 64);
        }
        return n;
    }

    /** Send 64 bytes, receive them on the other end; no agent. */
    @Benchmark
    public int sendRecv() throws IOException {
        return roundTrip();
    }

    /** The same, HostGuard attached, no runtime connection made. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public int sendRecv_agent() throws IOException {
        return roundTrip();
    }

    /** The same, HostGuard attached, a Netty runtime connection made (outside requests) and kept open. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public int sendRecv_agentRuntimeOpen() throws IOException {
        return roundTrip();
    }

    /** The same inside a guarded request ({@code api-key}, {@code none}), a runtime connection kept open. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public int sendRecvInRequest_agentRuntimeOpen(Requests.Guarded request) throws IOException {
        return roundTrip();
    }
}
