package dev.hostguard.agent;

import static dev.hostguard.agent.GuardedRequests.inRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hostguard.agent.GuardedRequests.Use;
import dev.hostguard.agent.bootstrap.HostGuardBlockedException;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDomainSocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.channel.unix.Buffer;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.IovArray;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Netty's native epoll and io_uring transports (4.2.18), whose sockets never reach the JDK's, with the real agent
 * attached in block mode (io_uring where the kernel lets the test use it): a domain-socket channel to a socket named {@code docker.sock}, and a TCP channel to a loopback port the policy
 * names for {@code docker-api-tcp}, each connected outside any request (a pool's) or by a user's request and then
 * written by an API-key request: the write's promise fails with the refusal, the channel is closed and the server
 * read no byte of it; a fresh connect in an API-key request fails its connect promise and reaches no server. The
 * connects and writes run on the event loop: they are judged in the request that handed them over (Netty's
 * executors carry it). Every hooked read and write method of the {@code Socket} itself is refused on a remembered
 * connection too; a user's request and an ordinary socket are untouched.
 */
class NettyNativeSocketInProcessTest {
    @TempDir
    static Path dir;

    /** A Docker API on TCP: the policy adds its loopback port to {@code docker-api-tcp}. */
    private static ServerSocketChannel dockerTcp;
    private static Transport epoll;
    /** {@code null} where the kernel refuses io_uring (disabled, or a seccomp filter). */
    private static Transport ioUring;
    private ServerSocketChannel server;
    private SocketChannel accepted;

    @BeforeAll
    static void attach() throws Exception {
        dockerTcp = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "rules:\n  - id: docker-api-tcp\n"
                + "    endpoints: [\"127.0.0.1:" + ((InetSocketAddress) dockerTcp.getLocalAddress()).getPort() + "\"]\n");
        AgentMain.agentmain("mode=block,policy=" + policy + ",events=" + dir.resolve("events.jsonl"),
                ByteBuddyAgent.install());
        assertTrue(Epoll.isAvailable(), () -> "epoll: " + Epoll.unavailabilityCause());
        epoll = new Transport(new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory()),
                EpollDomainSocketChannel.class, EpollSocketChannel.class);
        if (IoUring.isAvailable()) {
            ioUring = new Transport(new MultiThreadIoEventLoopGroup(1, IoUringIoHandler.newFactory()),
                    IoUringDomainSocketChannel.class, IoUringSocketChannel.class);
        }
    }

    @AfterAll
    static void shutDown() throws Exception {
        for (Transport transport : new Transport[] {epoll, ioUring}) {
            if (transport != null) {
                transport.group().shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            }
        }
        dockerTcp.close();
    }

    /** A Netty transport: its event loops and its domain-socket and TCP channel classes. */
    private record Transport(EventLoopGroup group, Class<? extends Channel> domain, Class<? extends Channel> tcp) {
        Bootstrap bootstrap(boolean tcp) {
            return new Bootstrap().group(group).channel(tcp ? this.tcp : domain)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            // reads are left in the channel: what the server sends is not the point here
                        }
                    });
        }
    }

    private static Transport ioUring() {
        assumeTrue(ioUring != null, () -> "io_uring unavailable here: " + IoUring.unavailabilityCause());
        return ioUring;
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {accepted, server}) {
            if (c != null) {
                c.close();
            }
        }
        accepted = null;
        server = null;
    }

    private Path listen(String name) throws Exception {
        Path socket = dir.resolve(name);
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket));
        return socket;
    }

    private static ByteBuf ascii(String text) {
        ByteBuf buf = Unpooled.directBuffer();
        buf.writeCharSequence(text, StandardCharsets.US_ASCII);
        return buf;
    }

    /** A write from inside a request, which Netty runs on the event loop: refused, the channel closed. */
    private static void writeRefused(Channel channel, String text, String rule) throws Exception {
        ChannelFuture write = channel.writeAndFlush(ascii(text));
        assertTrue(write.await(10, TimeUnit.SECONDS), "the write's promise was never completed");
        HostGuardBlockedException refused = assertInstanceOf(HostGuardBlockedException.class, write.cause(),
                () -> "the write's promise: " + write);
        assertEquals(rule, refused.rule());
        assertTrue(channel.closeFuture().await(10, TimeUnit.SECONDS), "the channel stays open after the refusal");
    }

    /** What the peer read until the connection closed. */
    private static String readToEnd(SocketChannel peer) throws IOException {
        StringBuilder got = new StringBuilder();
        ByteBuffer buffer = ByteBuffer.allocate(256);
        while (true) {
            buffer.clear();
            if (peer.read(buffer) < 0) {
                return got.toString();
            }
            got.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void aDomainSocketChannelKeptFromOutsideRequestsIsRefusedInAnApiKeyRequest() throws Exception {
        keptDomainSocketChannel(epoll);
    }

    @Test
    void ioUringADomainSocketChannelKeptFromOutsideRequestsIsRefusedInAnApiKeyRequest() throws Exception {
        keptDomainSocketChannel(ioUring());
    }

    private void keptDomainSocketChannel(Transport transport) throws Exception {
        Path socket = listen("docker.sock");
        Channel pooled = transport.bootstrap(false).connect(new DomainSocketAddress(socket.toString()))
                .sync().channel();  // outside any request: a pool's
        accepted = server.accept();
        pooled.writeAndFlush(ascii("GET /_ping ")).sync();  // the pool's own use: untouched
        inRequest(true, () -> pooled.writeAndFlush(ascii("GET /containers/json ")).sync());  // a user's: untouched
        inRequest(false, () -> writeRefused(pooled, "POST /containers/create ", "runtime-socket"));
        assertEquals("GET /_ping GET /containers/json ", readToEnd(accepted), "no byte of the refused write went out");
        String events = Files.readString(dir.resolve("events.jsonl"));
        assertTrue(events.contains("docker.sock") && events.contains("\"access\":\"write\""), events);
    }

    @Test
    void aDomainSocketChannelAUsersRequestOpenedIsRefusedInAnApiKeyRequest() throws Exception {
        Path socket = listen("docker.sock");
        Channel[] opened = new Channel[1];
        inRequest(true, () -> opened[0] = epoll.bootstrap(false)
                .connect(new DomainSocketAddress(socket.toString())).sync().channel());
        accepted = server.accept();
        inRequest(false, () -> writeRefused(opened[0], "POST /containers/create ", "runtime-socket"));
        assertEquals("", readToEnd(accepted));
    }

    @Test
    void aFreshDomainSocketConnectInAnApiKeyRequestIsRefused() throws Exception {
        freshDomainSocketConnect(epoll);
    }

    @Test
    void ioUringAFreshDomainSocketConnectInAnApiKeyRequestIsRefused() throws Exception {
        freshDomainSocketConnect(ioUring());
    }

    private void freshDomainSocketConnect(Transport transport) throws Exception {
        Path socket = listen("docker.sock");
        server.configureBlocking(false);
        inRequest(false, () -> {
            ChannelFuture connect = transport.bootstrap(false).connect(new DomainSocketAddress(socket.toString()));
            assertTrue(connect.await(10, TimeUnit.SECONDS), "the connect's promise was never completed");
            HostGuardBlockedException refused = assertInstanceOf(HostGuardBlockedException.class, connect.cause(),
                    () -> "the connect's promise: " + connect);
            assertEquals("runtime-socket", refused.rule());
            assertTrue(connect.channel().closeFuture().await(10, TimeUnit.SECONDS), "the refused channel stays open");
        });
        assertNull(server.accept(), "the server accepted a connection for the refused connect");
    }

    @Test
    void aTcpChannelToAGuardedEndpointKeptFromOutsideRequestsIsRefusedInAnApiKeyRequest() throws Exception {
        keptTcpChannel(epoll);
    }

    @Test
    void ioUringATcpChannelToAGuardedEndpointKeptFromOutsideRequestsIsRefusedInAnApiKeyRequest() throws Exception {
        keptTcpChannel(ioUring());
    }

    private static void keptTcpChannel(Transport transport) throws Exception {
        Channel pooled = transport.bootstrap(true).connect(dockerTcp.getLocalAddress()).sync().channel();
        try (SocketChannel peer = dockerTcp.accept()) {
            pooled.writeAndFlush(ascii("GET /_ping ")).sync();
            inRequest(true, () -> pooled.writeAndFlush(ascii("GET /containers/json ")).sync());
            inRequest(false, () -> writeRefused(pooled, "POST /containers/create ", "docker-api-tcp"));
            assertEquals("GET /_ping GET /containers/json ", readToEnd(peer), "no byte of the refused write went out");
        }
        String events = Files.readString(dir.resolve("events.jsonl"));
        assertTrue(events.contains("\"rule\":\"docker-api-tcp\"") && events.contains("\"access\":\"write\""),
                events);
    }

    @Test
    void aFreshTcpConnectToAGuardedEndpointInAnApiKeyRequestIsRefused() throws Exception {
        freshTcpConnect(epoll);
    }

    @Test
    void ioUringAFreshTcpConnectToAGuardedEndpointInAnApiKeyRequestIsRefused() throws Exception {
        freshTcpConnect(ioUring());
    }

    private static void freshTcpConnect(Transport transport) throws Exception {
        dockerTcp.configureBlocking(false);
        try {
            inRequest(false, () -> {
                ChannelFuture connect = transport.bootstrap(true).connect(dockerTcp.getLocalAddress());
                assertTrue(connect.await(10, TimeUnit.SECONDS), "the connect's promise was never completed");
                HostGuardBlockedException refused = assertInstanceOf(HostGuardBlockedException.class,
                        connect.cause(), () -> "the connect's promise: " + connect);
                assertEquals("docker-api-tcp", refused.rule());
            });
            assertNull(dockerTcp.accept(), "the server accepted a connection for the refused connect");
        } finally {
            dockerTcp.configureBlocking(true);
        }
    }

    /**
     * TCP Fast Open connects by sending ({@code sendTo} with {@code fastOpen}, what an epoll channel with
     * {@code TCP_FASTOPEN_CONNECT} does): judged as a connect in an API-key request (refused, no connection), and
     * remembered when made outside, so its later use in one is refused.
     */
    @Test
    void aTcpFastOpenConnectIsJudgedAndRemembered() throws Exception {
        InetSocketAddress docker = (InetSocketAddress) dockerTcp.getLocalAddress();
        ByteBuffer ping = ByteBuffer.allocateDirect(16).put("GET /_ping ".getBytes(StandardCharsets.US_ASCII)).flip();
        LinuxSocket refusedSocket = LinuxSocket.newSocketStream(false);
        dockerTcp.configureBlocking(false);
        try {
            inRequest(false, () -> {
                HostGuardBlockedException refused = assertThrows(HostGuardBlockedException.class,
                        () -> refusedSocket.sendTo(ping, 0, ping.limit(), docker.getAddress(), docker.getPort(), true));
                assertEquals("docker-api-tcp", refused.rule());
            });
            assertNull(dockerTcp.accept(), "the server accepted a connection for the refused connect");
        } finally {
            dockerTcp.configureBlocking(true);
            refusedSocket.close();
        }
        LinuxSocket kept = LinuxSocket.newSocketStream(false);
        try {
            kept.sendTo(ping, 0, ping.limit(), docker.getAddress(), docker.getPort(), true);  // outside: a pool's
            try (SocketChannel peer = dockerTcp.accept()) {
                ByteBuffer create = ByteBuffer.allocateDirect(8).put("POST ".getBytes(StandardCharsets.US_ASCII))
                        .flip();
                inRequest(false, () -> {
                    HostGuardBlockedException refused = assertThrows(HostGuardBlockedException.class,
                            () -> kept.send(create, 0, create.limit()));
                    assertEquals("docker-api-tcp", refused.rule());
                });
                ByteBuffer end = ByteBuffer.allocateDirect(4).put("#end".getBytes(StandardCharsets.US_ASCII)).flip();
                assertEquals(4, kept.send(end, 0, 4));
                String got = PeerReads.upTo(peer, "#end");
                assertTrue(got.isEmpty() || got.equals("GET /_ping "), () -> "the server read: " + got);
            }
        } finally {
            kept.close();
        }
    }

    /** Every read and write method of the socket itself, called directly on a connection kept from outside. */
    @Test
    void everyHookedReadAndWriteOfTheSocketIsRefusedOnAKeptConnection() throws Exception {
        Path socket = listen("docker.sock");
        LinuxSocket kept = LinuxSocket.newSocketDomain();
        ByteBuf direct = ascii("POST ");
        IovArray iov = new IovArray();
        try {
            assertTrue(kept.connect(new DomainSocketAddress(socket.toString())));
            accepted = server.accept();
            ByteBuffer nio = direct.nioBuffer();
            long address = Buffer.memoryAddress(direct.internalNioBuffer(0, direct.capacity()));
            iov.add(direct, 0, direct.readableBytes());
            List<Use> uses = List.of(
                    () -> kept.send(nio, 0, nio.limit()),
                    () -> kept.sendAddress(address, 0, 5),
                    () -> kept.write(nio, 0, nio.limit()),
                    () -> kept.writeAddress(address, 0, 5),
                    () -> kept.writev(new ByteBuffer[] {nio}, 0, 1, 5),
                    () -> kept.writevAddresses(iov.memoryAddress(0), iov.count()),
                    () -> kept.sendFd(0),
                    () -> kept.recv(ByteBuffer.allocateDirect(8), 0, 8),
                    () -> kept.recvAddress(address, 0, 5),
                    () -> kept.read(ByteBuffer.allocateDirect(8), 0, 8),
                    () -> kept.readAddress(address, 0, 5),
                    kept::recvFd);
            accepted.write(ByteBuffer.wrap("pong".getBytes(StandardCharsets.US_ASCII)));
            for (Use use : uses) {
                inRequest(false, () -> {
                    HostGuardBlockedException refused = assertThrows(HostGuardBlockedException.class, use::run);
                    assertEquals("runtime-socket", refused.rule());
                });
            }
            ByteBuffer user = ByteBuffer.wrap("GET /containers/json ".getBytes(StandardCharsets.US_ASCII));
            ByteBuffer userDirect = ByteBuffer.allocateDirect(user.remaining()).put(user).flip();
            inRequest(true, () -> assertEquals(userDirect.limit(), kept.send(userDirect, 0, userDirect.limit())));
            ByteBuffer end = ByteBuffer.allocateDirect(4).put("#end".getBytes(StandardCharsets.US_ASCII)).flip();
            kept.send(end, 0, 4);
            assertEquals("GET /containers/json ", PeerReads.upTo(accepted, "#end"), "no refused write sent a byte");
            ByteBuffer pong = ByteBuffer.allocateDirect(8);
            int read = kept.recv(pong, 0, 8);  // outside any request; the socket is non-blocking, the bytes are there
            assertEquals(4, read, "a refused read took bytes");
        } finally {
            iov.release();
            direct.release();
            kept.close();
        }
    }

    @Test
    void aUsersFreshConnectAndAnOrdinarySocketAreUntouched() throws Exception {
        Path socket = listen("app.sock");
        inRequest(false, () -> {
            Channel app = epoll.bootstrap(false)
                    .connect(new DomainSocketAddress(socket.toString())).sync().channel();
            app.writeAndFlush(ascii("hello")).sync();
            app.close().sync();
        });
        accepted = server.accept();
        assertEquals("hello", readToEnd(accepted));
        close();
        Path docker = listen("docker.sock");
        inRequest(true, () -> {
            Channel mine = epoll.bootstrap(false)
                    .connect(new DomainSocketAddress(docker.toString())).sync().channel();
            mine.writeAndFlush(ascii("GET /containers/json")).sync();
            mine.close().sync();
        });
        accepted = server.accept();
        assertEquals("GET /containers/json", readToEnd(accepted));
        String events = Files.exists(dir.resolve("events.jsonl")) ? Files.readString(dir.resolve("events.jsonl")) : "";
        assertFalse(events.contains("app.sock"), events);
    }
}
