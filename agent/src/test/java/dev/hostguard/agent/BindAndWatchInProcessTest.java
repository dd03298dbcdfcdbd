package dev.hostguard.agent;

import static dev.hostguard.agent.GuardedRequests.inRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Unix-domain socket bound at a path (a create of that name) and a directory watched (a listing of it), inside an
 * API-key request, against a directory a policy rule protects (standing for {@code /host}): refused, no socket file
 * made, no watch registered; the same in a user's request, and outside the protected directory, go ahead. The real
 * agent attached to this JVM in block mode; runs on JDK 17 and 25.
 */
class BindAndWatchInProcessTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BLOCKED = "dev.hostguard.agent.bootstrap.HostGuardBlockedException";

    @TempDir
    static Path dir;
    private static Path events;
    private static Path host;

    @BeforeAll
    static void attach() throws Exception {
        host = Files.createDirectories(dir.resolve("host"));
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "rules:\n"
                + "  - id: host-stand-in\n    paths: [\"" + host + "\", \"" + host + "/**\"]\n"
                + "    access: [read, write, list, change]\n");
        events = dir.resolve("events.jsonl");
        AgentMain.agentmain("mode=block,policy=" + policy + ",events=" + events, ByteBuddyAgent.install());
    }

    private static void assertRefusedBy(String rule, Throwable failure) throws Exception {
        assertEquals(BLOCKED, failure.getClass().getName(), String.valueOf(failure));
        assertEquals(rule, failure.getClass().getMethod("rule").invoke(failure));
    }

    private static JsonNode lastEventOf(String action, Path path) throws IOException {
        JsonNode last = null;
        for (String line : Files.readAllLines(events)) {
            JsonNode event = JSON.readTree(line);
            if (action.equals(event.at("/event/action").asText())
                    && path.toString().equals(event.at("/file/path").asText())) {
                last = event;
            }
        }
        assertTrue(last != null, "an event " + action + " of " + path);
        return last;
    }

    @Test
    void bindingASocketInAProtectedDirectoryIsRefusedAndNoSocketFileMade() throws Exception {
        Path socket = host.resolve("evil.sock");
        inRequest(false, () -> {
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                IOException refused = assertThrows(IOException.class,
                        () -> server.bind(UnixDomainSocketAddress.of(socket)));
                assertRefusedBy("host-stand-in", refused);
            }
        });
        assertFalse(Files.exists(socket), "no socket file");
        JsonNode event = lastEventOf("file-create", socket);
        assertEquals("write", event.at("/hostguard/access").asText());

        Path plain = dir.resolve("plain.sock");
        inRequest(false, () -> {
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(plain));
            }
        });
        assertTrue(Files.exists(plain), "a socket outside protected paths is bound");

        Path users = host.resolve("user.sock");
        inRequest(true, () -> {
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(users));
            }
        });
        assertTrue(Files.exists(users), "a user's socket is bound");
    }

    @Test
    void watchingAProtectedDirectoryIsRefused() throws Exception {
        Path watched = Files.createDirectories(host.resolve("etc"));
        try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
            inRequest(false, () -> {
                IOException refused = assertThrows(IOException.class,
                        () -> watched.register(watcher, StandardWatchEventKinds.ENTRY_CREATE));
                assertRefusedBy("host-stand-in", refused);
            });
            lastEventOf("directory-list", watched);
            Files.writeString(watched.resolve("shadow"), "x");
            assertEquals(null, watcher.poll(), "no watch registered: no event of the new entry");

            Path plain = Files.createDirectories(dir.resolve("plain"));
            WatchKey[] keys = new WatchKey[2];
            inRequest(false, () -> keys[0] = plain.register(watcher, StandardWatchEventKinds.ENTRY_CREATE));
            inRequest(true, () -> keys[1] = watched.register(watcher, StandardWatchEventKinds.ENTRY_CREATE));
            assertTrue(keys[0].isValid() && keys[1].isValid(), "watches outside protected paths and a user's");
        }
    }
}
