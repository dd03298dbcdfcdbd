package dev.hostguard.agent;

import static dev.hostguard.agent.GuardedRequests.inRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.GuardedRequests.Use;
import dev.hostguard.agent.bootstrap.HostGuardBlockedException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * A connection to a runtime socket made outside any request (a pool's, start-up code's) is remembered, and its use
 * inside an API-key request is refused before a byte goes out, through every way of writing and reading a socket
 * channel; a user's request and an ordinary channel are untouched, and the check on an ordinary channel allocates
 * nothing. The real agent attached to this JVM in block mode; the "server" is a socket channel of the test, which
 * proves what reached it by what it reads.
 */
class RuntimeConnectionInProcessTest {
    @TempDir
    static Path dir;

    private static AllocationMeter meter;
    /** A Docker API on TCP: the policy adds its loopback port to {@code docker-api-tcp}. */
    private static ServerSocketChannel dockerTcp;
    private ServerSocketChannel server;
    private SocketChannel client;
    private SocketChannel accepted;
    private final ByteBuffer one = ByteBuffer.allocateDirect(1);
    private int sink;

    @BeforeAll
    static void attach() throws Exception {
        dockerTcp = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "rules:\n  - id: docker-api-tcp\n"
                + "    endpoints: [\"127.0.0.1:" + ((InetSocketAddress) dockerTcp.getLocalAddress()).getPort() + "\"]\n");
        AgentMain.agentmain("mode=block,policy=" + policy + ",events=" + dir.resolve("events.jsonl"),
                ByteBuddyAgent.install());
        meter = AllocationMeter.require();
    }

    @AfterAll
    static void closeDockerTcp() throws Exception {
        dockerTcp.close();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {client, accepted, server}) {
            if (c != null) {
                c.close();
            }
        }
    }

    /** Connects outside any request to a socket named {@code name} in the temp directory. */
    private void connect(String name) throws Exception {
        Path socket = dir.resolve(name);
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket));
        client = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        accepted = server.accept();
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** What reached the server so far: it reads until {@code marker}, sent outside any request, arrives. */
    private String receivedUpTo(String marker) throws Exception {
        client.write(bytes(marker));
        return PeerReads.upTo(accepted, marker);
    }

    @Test
    void aRuntimeConnectionMadeOutsideRequestsIsRefusedInAnApiKeyRequestEveryWay() throws Exception {
        connect("docker.sock");
        client.write(bytes("GET /_ping "));  // outside a request: the pool's own use is untouched
        accepted.write(bytes("pong"));
        OutputStream out = Channels.newOutputStream(client);
        InputStream in = Channels.newInputStream(client);
        List<Use> uses = List.of(
                () -> client.write(bytes("POST /containers/create ")),
                () -> client.write(new ByteBuffer[] {bytes("POST "), bytes("/containers/create ")}, 0, 2),
                () -> out.write("POST /containers/create ".getBytes(StandardCharsets.US_ASCII)),
                () -> transferTo(client),
                () -> client.read(ByteBuffer.allocate(16)),
                () -> client.read(new ByteBuffer[] {ByteBuffer.allocate(16)}, 0, 1),
                () -> in.read(new byte[16]));
        for (Use use : uses) {
            inRequest(false, () -> {
                HostGuardBlockedException refused = assertThrows(HostGuardBlockedException.class, use::run);
                assertEquals("runtime-socket", refused.rule());
                assertTrue(refused.getMessage().contains("on a connection made before"), refused.getMessage());
            });
        }
        assertEquals("GET /_ping ", receivedUpTo("#end"), "no byte of a refused write reached the runtime");
        ByteBuffer answer = ByteBuffer.allocate(4);
        client.read(answer);
        assertEquals("pong", new String(answer.array(), StandardCharsets.US_ASCII), "no refused read took a byte");
        String events = Files.readString(dir.resolve("events.jsonl"));
        assertTrue(events.contains("\"access\":\"write\"") && events.contains("\"access\":\"read\""), events);
    }

    /**
     * A TCP connection to a guarded endpoint (the Docker API's port, here a loopback one the policy names), made
     * outside any request by each JDK client kind, is refused in an API-key request before a byte goes out: a
     * {@code Socket}'s streams, a {@code SocketChannel}, an {@code AsynchronousSocketChannel}.
     */
    @Test
    void aTcpRuntimeConnectionMadeOutsideRequestsIsRefusedInAnApiKeyRequest() throws Exception {
        InetSocketAddress docker = (InetSocketAddress) dockerTcp.getLocalAddress();
        try (Socket socket = new Socket(docker.getAddress(), docker.getPort());
             SocketChannel socketPeer = dockerTcp.accept();
             SocketChannel channel = SocketChannel.open(docker);
             SocketChannel channelPeer = dockerTcp.accept();
             AsynchronousSocketChannel async = AsynchronousSocketChannel.open()) {
            async.connect(docker).get();
            try (SocketChannel asyncPeer = dockerTcp.accept()) {
                OutputStream out = socket.getOutputStream();
                out.write("GET /_ping ".getBytes(StandardCharsets.US_ASCII));  // the pool's own use: untouched
                List<Use> uses = List.of(
                        () -> out.write("POST /containers/create ".getBytes(StandardCharsets.US_ASCII)),
                        () -> socket.getInputStream().read(new byte[16]),
                        () -> channel.write(bytes("POST /containers/create ")),
                        () -> channel.socket().getOutputStream().write(new byte[] {'P'}),
                        () -> async.write(bytes("POST /containers/create ")).get(),
                        () -> transferTo(channel),
                        () -> async.read(ByteBuffer.allocate(16)).get());
                for (Use use : uses) {
                    inRequest(false, () -> {
                        HostGuardBlockedException refused = assertThrows(HostGuardBlockedException.class, use::run);
                        assertEquals("docker-api-tcp", refused.rule());
                        assertTrue(refused.getMessage().contains("on a connection made before"), refused.getMessage());
                    });
                }
                inRequest(true, () -> channel.write(bytes("GET /containers/json ")));  // a user's: untouched
                out.write("#end".getBytes(StandardCharsets.US_ASCII));
                channel.write(bytes("#end"));
                async.write(bytes("#end")).get();
                assertEquals("GET /_ping ", PeerReads.upTo(socketPeer, "#end"), "no byte of a refused write went out");
                assertEquals("GET /containers/json ", PeerReads.upTo(channelPeer, "#end"));
                assertEquals("", PeerReads.upTo(asyncPeer, "#end"));
            }
        }
        String events = Files.readString(dir.resolve("events.jsonl"));
        assertTrue(events.contains("\"rule\":\"docker-api-tcp\"") && events.contains("\"access\":\"write\""),
                events);
    }

    /** A file sent into {@code target} with {@code FileChannel.transferTo} (the kernel's {@code sendfile}). */
    private static void transferTo(SocketChannel target) throws Exception {
        Path body = Files.writeString(dir.resolve("create.json"), "{\"Image\":\"alpine\",\"Privileged\":true}");
        try (FileChannel file = FileChannel.open(body)) {
            file.transferTo(0, file.size(), target);
        }
    }

    @Test
    void aUsersRequestAndAnOrdinarySocketAreUntouched() throws Exception {
        connect("docker.sock");
        inRequest(true, () -> {
            client.write(bytes("GET /containers/json "));
            Channels.newOutputStream(client).write("again ".getBytes(StandardCharsets.US_ASCII));
        });
        assertEquals("GET /containers/json again ", receivedUpTo("#end"));
        close();
        connect("app.sock");
        inRequest(false, () -> client.write(bytes("hello ")));
        assertEquals("hello ", receivedUpTo("#end"));
    }

    @Test
    void aFreshConnectInAnApiKeyRequestIsRefused() throws Exception {
        connect("docker.sock");  // the server
        Path socket = dir.resolve("docker.sock");
        inRequest(false, () -> assertThrows(HostGuardBlockedException.class,
                () -> SocketChannel.open(UnixDomainSocketAddress.of(socket))));
    }

    /** An ordinary TCP channel's write, while a runtime connection is remembered: in a request and outside one. */
    @Test
    void theCheckOnAnOrdinaryChannelAllocatesNothing() throws Exception {
        connect("docker.sock");
        try (ServerSocketChannel tcp = ServerSocketChannel.open().bind(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel ordinary = SocketChannel.open(tcp.getLocalAddress());
             SocketChannel peer = tcp.accept()) {
            peer.configureBlocking(false);
            ByteBuffer drain = ByteBuffer.allocateDirect(1 << 16);
            AllocationMeter.Calls writes = calls -> {
                for (int i = 0; i < calls; i++) {
                    one.clear();
                    sink += ordinary.write(one);
                    if ((i & 1023) == 0) {
                        drain.clear();
                        while (peer.read(drain) > 0) {
                            drain.clear();
                        }
                    }
                }
            };
            double outside = meter.bytesPerCall(writes);
            double[] inside = new double[1];
            inRequest(false, () -> inside[0] = meter.bytesPerCall(writes));
            System.out.printf("[allocation] ordinary channel write: %.4f bytes outside, %.4f in an api-key request%n",
                    outside, inside[0]);
            assertTrue(outside < AllocationMeter.ZERO_BYTES_PER_CALL, outside + " bytes per write outside");
            assertTrue(inside[0] < AllocationMeter.ZERO_BYTES_PER_CALL, inside[0] + " bytes per write inside");
        }
    }
}
