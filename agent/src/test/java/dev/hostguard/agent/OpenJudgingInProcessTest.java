package dev.hostguard.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostguard.agent.bootstrap.HostGuardBlockedException;
import java.io.FileInputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Read-only opens judged after the open, on the descriptor, with the real agent attached to this JVM in block mode
 * and a policy rule {@code test-shadow} on {@code <dir>/secret/shadow}: a symbolic link planted to it, a hard link to
 * it, a link to {@code /proc/self/environ}, each read through java.io, NIO and {@code openat}, is refused in an API-key
 * request with nothing read and the refused descriptor closed (no descriptor of this JVM names it afterwards); the event
 * names the protected file; a logged-in user reads them; a harmless file is read with no event.
 */
class OpenJudgingInProcessTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "root:$6$not-for-you:19000:0:99999:7:::\n";

    @TempDir
    static Path tempDir;
    static Path dir;
    static Path events;
    static Path shadow;

    @BeforeAll
    static void attach() throws Exception {
        dir = tempDir.toRealPath();
        events = dir.resolve("events.jsonl");
        shadow = Files.createDirectories(dir.resolve("secret")).resolve("shadow");
        Files.writeString(shadow, SECRET);
        Path policy = Files.writeString(dir.resolve("policy.yaml"),
                "rules:\n  - id: test-shadow\n    paths: [\"" + shadow + "\"]\n");
        AgentMain.agentmain("mode=block,policy=" + policy + ",events=" + events, ByteBuddyAgent.install());
    }

    /** The ways a read-only open is made, each reading the whole file. */
    private static final List<Reader> READERS = List.of(
            new Reader("FileInputStream", p -> {
                try (FileInputStream in = new FileInputStream(p.toFile())) {
                    return in.readAllBytes();
                }
            }),
            new Reader("RandomAccessFile r", p -> {
                try (RandomAccessFile file = new RandomAccessFile(p.toFile(), "r")) {
                    byte[] bytes = new byte[(int) file.length()];
                    file.readFully(bytes);
                    return bytes;
                }
            }),
            new Reader("Files.readAllBytes", Files::readAllBytes),
            new Reader("SecureDirectoryStream.newByteChannel (openat)", p -> {
                try (DirectoryStream<Path> stream = Files.newDirectoryStream(p.getParent())) {
                    SecureDirectoryStream<Path> secure = (SecureDirectoryStream<Path>) stream;
                    try (SeekableByteChannel channel = secure.newByteChannel(p.getFileName(),
                            Set.of(StandardOpenOption.READ))) {
                        ByteBuffer buffer = ByteBuffer.allocate(4096);
                        channel.read(buffer);
                        buffer.flip();
                        byte[] bytes = new byte[buffer.remaining()];
                        buffer.get(bytes);
                        return bytes;
                    }
                }
            }));

    private interface Read {
        byte[] read(Path path) throws Exception;
    }

    private record Reader(String name, Read read) {
    }

    @Test
    void descriptorsAreReadFromTheKernel() throws Exception {
        assertTrue(OpenDescriptors.available(), "the agent opened sun.nio.fs to itself and /proc is mounted");
        try (FileInputStream in = new FileInputStream(shadow.toFile())) {
            int fd = OpenDescriptors.number(in.getFD());
            assertEquals(shadow.toString(), OpenDescriptors.path(fd));
            OpenDescriptors.Identity identity = OpenDescriptors.identify(fd);
            assertNotNull(identity);
            assertTrue(identity.regularFile());
            assertEquals(Files.getAttribute(shadow, "unix:ino"), identity.ino());
            assertNull(OpenDescriptors.linkedRegularFile(fd), "one name");
        }
    }

    @Test
    void aPlantedSymbolicLinkIsRefusedAfterTheOpenAndClosed() throws Exception {
        for (Reader reader : READERS) {
            Path link = Files.createSymbolicLink(dir.resolve("sym-" + reader.name().replaceAll("\\W", "_")), shadow);
            assertRefused(reader, link, "test-shadow", shadow.toString());
        }
    }

    @Test
    void aHardLinkIsTheFileItIs() throws Exception {
        for (Reader reader : READERS) {
            Path link = Files.createLink(dir.resolve("hard-" + reader.name().replaceAll("\\W", "_")), shadow);
            assertRefused(reader, link, "test-shadow", shadow.toString());
        }
    }

    @Test
    void aLinkToOwnEnvironIsRefused() throws Exception {
        for (Reader reader : READERS) {
            if (reader.name().startsWith("SecureDirectoryStream") || reader.name().startsWith("RandomAccessFile")) {
                continue; // /proc files have no length for RandomAccessFile; openat is covered above
            }
            Path link = Files.createSymbolicLink(dir.resolve("env-" + reader.name().replaceAll("\\W", "_")),
                    Path.of("/proc/self/environ"));
            assertRefused(reader, link, "proc-environ", "/proc/" + ProcessHandle.current().pid() + "/environ");
        }
    }

    @Test
    void harmlessFilesAndTheUsersReadsGoThrough() throws Exception {
        Path harmless = Files.writeString(dir.resolve("harmless.txt"), "nothing\n");
        Path link = Files.createLink(dir.resolve("hard-for-user"), shadow);
        long before = eventCount();
        for (Reader reader : READERS) {
            GuardedRequests.inRequest(false, () -> assertArrayEquals("nothing\n".getBytes(StandardCharsets.UTF_8),
                    reader.read().read(harmless), reader.name()));
            GuardedRequests.inRequest(true, () -> assertArrayEquals(SECRET.getBytes(StandardCharsets.UTF_8),
                    reader.read().read(link), reader.name()));
        }
        assertEquals(before, eventCount(), "no event");
    }

    private static void assertRefused(Reader reader, Path link, String rule, String protectedPath) throws Exception {
        long before = eventCount();
        GuardedRequests.inRequest(false, () -> assertThrows(HostGuardBlockedException.class,
                () -> reader.read().read(link), reader.name() + " through " + link));
        assertEquals(List.of(), DescriptorsOfThisJvm.naming(link, protectedPath),
                reader.name() + ": the refused descriptor was closed");
        assertEquals(before + 1, eventCount(), reader.name());
        JsonNode event = lastEvent();
        assertEquals(rule, event.at("/hostguard/rule").asText(), reader.name());
        assertEquals("blocked", event.at("/hostguard/decision").asText());
        assertEquals(protectedPath, event.at("/file/path").asText(), reader.name() + ": names what was opened");
        assertTrue(event.toString().contains(link.getFileName().toString()), () -> "the link as given: " + event);
    }

    private static long eventCount() throws Exception {
        return Files.exists(events) ? Files.readAllLines(events).stream().filter(l -> l.contains("\"hostguard\"")).count() : 0;
    }

    private static JsonNode lastEvent() throws Exception {
        List<String> lines = Files.readAllLines(events);
        return JSON.readTree(lines.get(lines.size() - 1));
    }
}
