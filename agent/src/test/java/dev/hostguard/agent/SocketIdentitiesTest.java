package dev.hostguard.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.hostguard.agent.path.ResolvedPath;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hard link to a runtime's socket, under a name no rule knows, is found to be that socket; other sockets are not. */
class SocketIdentitiesTest {
    @TempDir
    Path dir;

    private static ResolvedPath path(Path p) {
        return new ResolvedPath(p.toString(), p.toString(), p.toString());
    }

    @Test
    void aHardLinkToARuntimeSocketIsThatSocket() throws Exception {
        Path socket = dir.resolve("docker.sock");
        Path other = dir.resolve("app.sock");
        try (ServerSocketChannel runtime = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(socket));
             ServerSocketChannel app = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(other))) {
            List<String> homes = List.of(dir.resolve("missing.sock").toString(), socket.toString());
            assertNull(SocketIdentities.runtimeSocketNamed(path(other), homes), "one name only: not compared");
            Path innocent = Files.createLink(dir.resolve("innocent"), socket);
            ResolvedPath found = SocketIdentities.runtimeSocketNamed(path(innocent), homes);
            assertEquals(innocent.toString(), found.given(), "the name the caller used stays the given one");
            assertEquals(socket.toRealPath().toString(), found.canonical(), "judged as the runtime's socket");
            Files.createLink(dir.resolve("app-too"), other);
            assertNull(SocketIdentities.runtimeSocketNamed(path(dir.resolve("app-too")), homes),
                    "linked, but to no runtime's socket");
            assertNull(SocketIdentities.runtimeSocketNamed(path(dir.resolve("gone")), homes), "no such file");
        }
    }
}
