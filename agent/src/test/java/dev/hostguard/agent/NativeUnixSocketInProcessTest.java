package dev.hostguard.agent;

import static dev.hostguard.agent.GuardedRequests.inRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.GuardedRequests.Use;
import dev.hostguard.agent.bootstrap.HostGuardBlockedException;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * Native Unix-socket clients at their Java entry points, with the real agent attached in block mode (their classes
 * load after it, so they are hooked as they load): junixsocket 2.10 ({@code AFUNIXSocket}, its streams, and
 * {@code AFUNIXSocketChannel}) and jnr-unixsocket 0.38 ({@code UnixSocketChannel}). A connect to a runtime socket
 * inside an API-key request is refused; a connection made outside any request is remembered, and its use inside
 * one refused before a byte goes out (the test's server reads what arrived); a user's request and another socket
 * are untouched.
 */
class NativeUnixSocketInProcessTest {
    @TempDir
    static Path dir;

    private ServerSocketChannel server;
    private SocketChannel accepted;

    @BeforeAll
    static void attach() throws Exception {
        AgentMain.agentmain("mode=block,events=" + dir.resolve("events.jsonl"), ByteBuddyAgent.install());
        // jnr's libraries opened outside requests, as a service's start-up does: one opened inside a guarded
        // request is a native-code finding of its own (JnrFfiInProcessTest)
        UnixSocketChannel.open().close();
    }

    @AfterEach
    void close() throws Exception {
        if (accepted != null) {
            accepted.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private Path listen(String name) throws Exception {
        Path socket = dir.resolve(name);
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket));
        return socket;
    }

    private static void refusedInApiKeyRequest(Use use) throws Exception {
        inRequest(false, () -> {
            HostGuardBlockedException refused = assertThrows(HostGuardBlockedException.class, use::run);
            assertEquals("runtime-socket", refused.rule());
        });
    }

    /** What reached the server: it reads until {@code marker}, which the client sends outside any request. */
    private String receivedUpTo(Use sendMarker, String marker) throws Exception {
        sendMarker.run();
        return PeerReads.upTo(accepted, marker);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void junixsocketSocketAndChannel() throws Exception {
        Path socket = listen("docker.sock");
        AFUNIXSocketAddress address = AFUNIXSocketAddress.of(socket.toFile());
        refusedInApiKeyRequest(() -> AFUNIXSocket.connectTo(address));
        refusedInApiKeyRequest(() -> AFUNIXSocketChannel.open(address));

        try (AFUNIXSocket pooled = AFUNIXSocket.connectTo(address)) {  // outside any request: a pool's
            accepted = server.accept();
            OutputStream out = pooled.getOutputStream();
            InputStream in = pooled.getInputStream();
            out.write(bytes("GET /_ping "));
            accepted.write(ByteBuffer.wrap(bytes("pong")));
            for (Use use : List.<Use>of(() -> out.write(bytes("POST /containers/create ")), () -> out.write('P'),
                    () -> in.read(new byte[4]), in::read)) {
                refusedInApiKeyRequest(use);
            }
            inRequest(true, () -> out.write(bytes("GET /containers/json ")));
            assertEquals("GET /_ping GET /containers/json ", receivedUpTo(() -> out.write(bytes("#end")), "#end"));
            byte[] pong = new byte[4];
            assertEquals(4, in.readNBytes(pong, 0, 4));
            assertEquals("pong", new String(pong, StandardCharsets.US_ASCII), "no refused read took a byte");
        }
        accepted.close();

        try (AFUNIXSocketChannel pooled = AFUNIXSocketChannel.open(address)) {
            accepted = server.accept();
            refusedInApiKeyRequest(() -> pooled.write(ByteBuffer.wrap(bytes("POST /containers/create "))));
            refusedInApiKeyRequest(() -> pooled.read(ByteBuffer.allocate(4)));
            inRequest(true, () -> pooled.write(ByteBuffer.wrap(bytes("GET /containers/json "))));
            assertEquals("GET /containers/json ",
                    receivedUpTo(() -> pooled.write(ByteBuffer.wrap(bytes("#end"))), "#end"));
        }
    }

    @Test
    void jnrUnixsocketChannel() throws Exception {
        Path socket = listen("docker.sock");
        UnixSocketAddress address = new UnixSocketAddress(new File(socket.toString()));
        refusedInApiKeyRequest(() -> UnixSocketChannel.open(address));

        try (UnixSocketChannel pooled = UnixSocketChannel.open(address)) {
            accepted = server.accept();
            refusedInApiKeyRequest(() -> pooled.write(ByteBuffer.wrap(bytes("POST /containers/create "))));
            refusedInApiKeyRequest(() -> pooled.write(new ByteBuffer[] {ByteBuffer.wrap(bytes("POST "))}, 0, 1));
            refusedInApiKeyRequest(() -> pooled.read(ByteBuffer.allocate(4)));
            refusedInApiKeyRequest(() -> pooled.read(new ByteBuffer[] {ByteBuffer.allocate(4)}, 0, 1));
            refusedInApiKeyRequest(() -> pooled.socket().getOutputStream().write(bytes("POST ")));
            inRequest(true, () -> pooled.write(ByteBuffer.wrap(bytes("GET /containers/json "))));
            assertEquals("GET /containers/json ",
                    receivedUpTo(() -> pooled.write(ByteBuffer.wrap(bytes("#end"))), "#end"));
        }
    }

    @Test
    void anotherSocketIsUntouched() throws Exception {
        Path socket = listen("app.sock");
        try (AFUNIXSocket client = AFUNIXSocket.newInstance()) {
            inRequest(false, () -> client.connect(AFUNIXSocketAddress.of(socket.toFile())));
            accepted = server.accept();
            inRequest(false, () -> client.getOutputStream().write(bytes("hello ")));
            assertEquals("hello ", receivedUpTo(() -> client.getOutputStream().write(bytes("#end")), "#end"));
        }
        String events = Files.exists(dir.resolve("events.jsonl")) ? Files.readString(dir.resolve("events.jsonl")) : "";
        assertTrue(!events.contains("app.sock"), events);
    }
}
