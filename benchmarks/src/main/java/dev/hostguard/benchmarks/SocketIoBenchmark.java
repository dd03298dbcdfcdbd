package dev.hostguard.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * I/O on an ordinary socket channel: 64 bytes written on one end of a connected pair and read on the other, on the
 * measuring thread (two {@code SocketChannelImpl} calls, each hooked: {@code write}, then {@code read}), without
 * HostGuard and with it attached in block mode. {@code transport}: a loopback TCP connection or a Unix-domain one
 * (a socket named {@code app.sock}, which no rule guards), or {@code socket}: a {@code java.net.Socket}'s streams
 * on loopback TCP ({@code NioSocketImpl}'s {@code write} and {@code read}, each hooked).
 *
 * <p>Every socket read and write of the JVM passes the kept-open runtime connection check ({@code Hooks.socketIO}):
 * {@code writeRead_agent}, with no runtime connection made, pays one static read; {@code writeRead_agentRuntimeOpen}
 * first connects to a runtime socket ({@code docker.sock}, served by the benchmark) outside any request, so the
 * check is remembered-table-not-empty, then the thread-local read; {@code writeReadInRequest_agentRuntimeOpen} does
 * the same inside a request (an identity look-up of the ordinary channel in the table, which finds nothing). None
 * writes an event.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SocketIoBenchmark {
    @Param({"tcp", "unix", "socket"})
    public String transport;

    private Path dir;
    private ServerSocketChannel server;
    private SocketChannel client;
    private SocketChannel peer;
    private Socket socketClient;
    private Socket socketPeer;
    private OutputStream socketOut;
    private InputStream socketIn;
    private final byte[] outBytes = new byte[64];
    private final byte[] inBytes = new byte[64];
    private ServerSocketChannel runtime;
    private SocketChannel runtimeClient;
    private SocketChannel runtimePeer;
    private final ByteBuffer out = ByteBuffer.allocateDirect(64);
    private final ByteBuffer in = ByteBuffer.allocateDirect(64);
    private long eventsBefore;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws IOException {
        Agent.requireConfiguration(params);
        dir = Files.createTempDirectory("hostguard-bench-socket-");
        if (transport.equals("unix")) {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                    .bind(UnixDomainSocketAddress.of(dir.resolve("app.sock")));
        } else {
            server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        }
        if (transport.equals("socket")) {
            InetSocketAddress at = (InetSocketAddress) server.getLocalAddress();
            socketClient = new Socket(at.getAddress(), at.getPort());
            socketPeer = server.accept().socket();
            socketOut = socketClient.getOutputStream();
            socketIn = socketPeer.getInputStream();
        } else {
            client = SocketChannel.open(server.getLocalAddress());
            peer = server.accept();
        }
        if (params.getBenchmark().endsWith("RuntimeOpen")) {
            // a pooled runtime connection, made outside any request as a client's pool or start-up code does
            runtime = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                    .bind(UnixDomainSocketAddress.of(dir.resolve("docker.sock")));
            runtimeClient = SocketChannel.open(runtime.getLocalAddress());
            runtimePeer = runtime.accept();
            if (dev.hostguard.agent.bootstrap.RuntimeConnections.none()) {
                throw new IllegalStateException("the connection to " + runtime.getLocalAddress()
                        + " was not remembered as a runtime connection");
            }
        }
        eventsBefore = Agent.eventsSize();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        for (AutoCloseable c : new AutoCloseable[] {client, peer, socketClient, socketPeer, server, runtimeClient,
                runtimePeer, runtime}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
        Files.deleteIfExists(dir.resolve("app.sock"));
        Files.deleteIfExists(dir.resolve("docker.sock"));
        Files.deleteIfExists(dir);
        Agent.requireNoEventsSince(eventsBefore);
    }

    private int roundTrip() throws IOException {
        if (socketOut != null) {
            socketOut.write(outBytes);
            int n = 0;
            while (n < 64) {
                n += socketIn.read(inBytes, n, 64 - n);
            }
            return n;
        }
        out.clear();
        client.write(out);
        in.clear();
        int n = 0;
        while (n < 64) {
            n += peer.read(in);
        }
        return n;
    }

    /** Write 64 bytes, read them on the other end; no agent. */
    @Benchmark
    public int writeRead() throws IOException {
        return roundTrip();
    }

    /** The same, HostGuard attached, no runtime connection made. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public int writeRead_agent() throws IOException {
        return roundTrip();
    }

    /** The same, HostGuard attached, a runtime connection made (outside requests) and kept open. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public int writeRead_agentRuntimeOpen() throws IOException {
        return roundTrip();
    }

    /** The same inside a guarded request ({@code api-key}, {@code none}), a runtime connection kept open. */
    @Benchmark
    @Fork(jvmArgsAppend = Agent.BLOCK)
    public int writeReadInRequest_agentRuntimeOpen(Requests.Guarded request) throws IOException {
        return roundTrip();
    }
}
