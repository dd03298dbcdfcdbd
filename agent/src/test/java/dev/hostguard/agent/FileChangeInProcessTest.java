package dev.hostguard.agent;

import static dev.hostguard.agent.GuardedRequests.inRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostguard.agent.bootstrap.HostGuardBlockedException;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every change of the file system other than an open, through java.io and NIO, inside an API-key request, against
 * a directory a policy rule protects (standing for {@code /host}): refused, and nothing changed on disk (checked
 * with {@code Files.exists} and the file's attributes, not only by the answer); the event names the rule, the access,
 * both paths of a rename or link, and what an attribute change changes. The same changes in a user's request and
 * outside requests go ahead. The real agent attached to this JVM in block mode; runs on JDK 17 and 25.
 */
class FileChangeInProcessTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger CASES = new AtomicInteger();

    @TempDir
    static Path dir;
    private static Path events;
    /** Protected: the rule {@code host-stand-in} (read, write, change). */
    private static Path host;
    /** Protected for reads only: {@code token-stand-in}, as {@code service-account-token}. */
    private static Path token;
    /** Protected against writes and changes, not reads: {@code logs-stand-in}. */
    private static Path logs;

    /** This test's own directories, one under {@code host}, one beside it. */
    private Path protectedDir;
    private Path plainDir;

    @BeforeAll
    static void attach() throws Exception {
        host = Files.createDirectories(dir.resolve("host"));
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        token = Files.writeString(secrets.resolve("token"), "t0ken");
        logs = Files.createDirectories(dir.resolve("logs"));
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "rules:\n"
                + "  - id: host-stand-in\n    paths: [\"" + host + "/**\"]\n"
                + "  - id: logs-stand-in\n    paths: [\"" + logs + "/**\"]\n    access: [write, change]\n"
                + "  - id: token-stand-in\n    paths: [\"" + token + "\"]\n    access: [read]\n");
        events = dir.resolve("events.jsonl");
        AgentMain.agentmain("mode=block,policy=" + policy + ",events=" + events, ByteBuddyAgent.install());
    }

    @BeforeEach
    void directories() throws IOException {
        int n = CASES.incrementAndGet();
        protectedDir = Files.createDirectories(host.resolve("case" + n));
        plainDir = Files.createDirectories(dir.resolve("plain" + n));
    }

    private interface Answer {
        boolean run() throws Exception;
    }

    /**
     * An NIO change in an API-key request: refused by {@code rule}. Declared as an {@code IOException}: JUnit reads
     * the test's method signatures before the agent puts {@code HostGuardBlockedException} in the boot loader.
     */
    private static IOException refused(String rule, GuardedRequests.Use change) throws Exception {
        IOException[] refusal = new IOException[1];
        inRequest(false, () -> {
            HostGuardBlockedException blocked = assertThrows(HostGuardBlockedException.class, change::run);
            assertEquals(rule, blocked.rule());
            refusal[0] = blocked;
        });
        return refusal[0];
    }

    /** A java.io change in an API-key request: answers false, as on any failure. */
    private static void answersFalse(Answer change) throws Exception {
        inRequest(false, () -> assertFalse(change.run(), "a refused java.io change answers false"));
    }

    private static List<JsonNode> eventsOf(String action) throws IOException {
        List<JsonNode> found = new ArrayList<>();
        for (String line : Files.readAllLines(events)) {
            JsonNode event = JSON.readTree(line);
            if (action.equals(event.at("/event/action").asText())) {
                found.add(event);
            }
        }
        return found;
    }

    /** The last event of {@code action} whose {@code file.path} is {@code path}. */
    private static JsonNode eventFor(String action, Path path) throws IOException {
        JsonNode last = null;
        for (JsonNode event : eventsOf(action)) {
            if (path.toString().equals(event.at("/file/path").asText())) {
                last = event;
            }
        }
        assertNotNull(last, "an event " + action + " of " + path);
        return last;
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    // ---- renames ----

    @Test
    void renamingAFileIntoOrOutOfAProtectedDirectoryIsRefused() throws Exception {
        Path staged = Files.writeString(plainDir.resolve("cron"), "* * * * * root sh /tmp/x");
        Path placed = protectedDir.resolve("cron");
        Path hostFile = Files.writeString(protectedDir.resolve("shadow"), "root:x");
        Path out = plainDir.resolve("shadow");

        refused("host-stand-in", () -> Files.move(staged, placed));
        refused("host-stand-in", () -> Files.move(staged, placed, StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE));
        answersFalse(() -> staged.toFile().renameTo(placed.toFile()));
        refused("host-stand-in", () -> Files.move(hostFile, out));
        answersFalse(() -> hostFile.toFile().renameTo(out.toFile()));
        assertTrue(Files.exists(staged) && Files.notExists(placed, LinkOption.NOFOLLOW_LINKS), "nothing moved in");
        assertTrue(Files.exists(hostFile) && Files.notExists(out, LinkOption.NOFOLLOW_LINKS), "nothing moved out");

        JsonNode in = eventFor("file-rename", placed);
        assertEquals("write", in.at("/hostguard/access").asText());
        assertEquals(staged.toString(), in.at("/file/target_path").asText(), "the other path of the rename");
        assertEquals("blocked", in.at("/hostguard/decision").asText());
        JsonNode outEvent = eventFor("file-rename", hostFile);
        assertEquals("write", outEvent.at("/hostguard/access").asText());
        assertEquals(out.toString(), outEvent.at("/file/target_path").asText());

        inRequest(true, () -> Files.move(staged, placed));
        assertTrue(Files.exists(placed), "a user's rename goes ahead");
        assertTrue(placed.toFile().renameTo(staged.toFile()), "outside requests: untouched");
        inRequest(true, () -> assertTrue(hostFile.toFile().renameTo(out.toFile())));
        assertTrue(Files.exists(out));
    }

    @Test
    void movingAReadProtectedFileOutIsReadingIt() throws Exception {
        Path out = plainDir.resolve("token");
        IOException refusal = refused("token-stand-in", () -> Files.move(token, out));
        answersFalse(() -> token.toFile().renameTo(out.toFile()));
        assertTrue(Files.exists(token) && Files.notExists(out), refusal.getMessage());
        assertEquals("read", eventFor("file-rename", token).at("/hostguard/access").asText());
    }

    @Test
    void aRenameInsideAProtectedDirectoryThroughASecureDirectoryStreamIsRefused() throws Exception {
        Path file = Files.writeString(protectedDir.resolve("config"), "x");
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(protectedDir.getParent())) {
            if (!(stream instanceof SecureDirectoryStream<Path> secure)) {
                return; // not on this platform
            }
            Path name = protectedDir.getFileName().resolve("config"); // relative to the stream's directory
            refused("host-stand-in", () -> secure.move(name, secure, protectedDir.getFileName().resolve("moved")));
            refused("host-stand-in", () -> secure.deleteFile(name));
        }
        assertTrue(Files.exists(file) && Files.notExists(protectedDir.resolve("moved")));
    }

    // ---- links ----

    @Test
    void linksIntoAProtectedDirectoryOrToAProtectedFileAreRefused() throws Exception {
        Path plain = Files.writeString(plainDir.resolve("plain"), "x");
        Path hostFile = Files.writeString(protectedDir.resolve("shadow"), "root:x");
        Path hardIn = protectedDir.resolve("hard");
        Path hardOut = plainDir.resolve("innocent");
        Path symIn = protectedDir.resolve("sym");

        refused("host-stand-in", () -> Files.createLink(hardIn, plain));
        refused("host-stand-in", () -> Files.createLink(hardOut, hostFile));
        refused("host-stand-in", () -> Files.createSymbolicLink(symIn, Path.of("/etc/passwd")));
        assertTrue(Files.notExists(hardIn, LinkOption.NOFOLLOW_LINKS) && Files.notExists(hardOut, LinkOption.NOFOLLOW_LINKS)
                && Files.notExists(symIn, LinkOption.NOFOLLOW_LINKS), "no link made");
        assertEquals(1, (int) Files.getAttribute(hostFile, "unix:nlink"), "the protected file has one name still");

        JsonNode linkOut = eventFor("file-link", hostFile);
        assertEquals(hardOut.toString(), linkOut.at("/file/target_path").asText(), "the new name");
        assertEquals("write", linkOut.at("/hostguard/access").asText());
        JsonNode symlink = eventFor("file-symlink", symIn);
        assertEquals("/etc/passwd", symlink.at("/file/target_path").asText());

        inRequest(true, () -> {
            Files.createLink(hardIn, plain);
            Files.createSymbolicLink(symIn, Path.of("/etc/passwd"));
        });
        Files.createLink(hardOut, hostFile); // outside requests
        assertTrue(Files.exists(hardIn) && Files.isSymbolicLink(symIn) && Files.exists(hardOut));
    }

    // ---- deletes ----

    @Test
    void deletingInAProtectedDirectoryIsRefused() throws Exception {
        Path file = Files.writeString(protectedDir.resolve("evidence.log"), "x");
        Path directory = Files.createDirectory(protectedDir.resolve("d"));

        refused("host-stand-in", () -> Files.delete(file));
        refused("host-stand-in", () -> Files.deleteIfExists(file));
        refused("host-stand-in", () -> Files.delete(directory));
        answersFalse(() -> file.toFile().delete());
        answersFalse(() -> directory.toFile().delete());
        assertTrue(Files.exists(file) && Files.isDirectory(directory), "nothing deleted");
        assertEquals("write", eventFor("file-delete", file).at("/hostguard/access").asText());
        eventFor("file-delete", directory);

        inRequest(true, () -> Files.delete(file));
        inRequest(true, () -> assertTrue(directory.toFile().delete()));
        assertTrue(Files.notExists(file) && Files.notExists(directory), "a user's deletes go ahead");
    }

    /**
     * {@code DELETE_ON_CLOSE} of a file that may be read but not deleted: the open answers its channel, the delete
     * is refused (event, file kept), and no descriptor is left behind (the JDK unlinks right after its open and
     * ignores only its own exception there): no descriptor in {@code /proc/self/fd} names the file after many such opens, through
     * {@code Files.newByteChannel} ({@code unlink}) and a {@code SecureDirectoryStream} ({@code unlinkat}).
     */
    @Test
    void deleteOnCloseRefusedKeepsTheFileAndLeaksNoDescriptor() throws Exception {
        Path file = Files.writeString(Files.createDirectories(logs.resolve("c" + CASES.get())).resolve("audit.log"),
                "x");
        int opens = 40;
        inRequest(false, () -> {
            for (int i = 0; i < opens; i++) {
                try (java.nio.channels.SeekableByteChannel channel = Files.newByteChannel(file,
                        java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.DELETE_ON_CLOSE)) {
                    assertEquals(1, channel.read(ByteBuffer.allocate(8)), "the channel reads the file");
                }
            }
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(file.getParent())) {
                if (stream instanceof SecureDirectoryStream<Path> secure) {
                    for (int i = 0; i < opens; i++) {
                        secure.newByteChannel(file.getFileName(), java.util.Set.of(
                                java.nio.file.StandardOpenOption.READ,
                                java.nio.file.StandardOpenOption.DELETE_ON_CLOSE)).close();
                    }
                }
            }
        });
        assertTrue(Files.exists(file), "the refused delete-on-close kept the file");
        assertEquals(List.of(), DescriptorsOfThisJvm.naming(file), 2 * opens + " refused delete-on-close opens");
        JsonNode event = eventFor("file-delete", file);
        assertEquals("logs-stand-in", event.at("/hostguard/rule").asText());
        assertEquals("blocked", event.at("/hostguard/decision").asText());

        inRequest(true, () -> Files.newByteChannel(file, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.DELETE_ON_CLOSE).close());
        assertTrue(Files.notExists(file), "a user's delete-on-close deletes");
    }

    @Test
    void deletingALinkToAProtectedFileDeletesTheLinkAndIsAllowed() throws Exception {
        Path hostFile = Files.writeString(protectedDir.resolve("passwd"), "x");
        Path link = Files.createSymbolicLink(plainDir.resolve("link"), hostFile);
        inRequest(false, () -> Files.delete(link));
        assertTrue(Files.notExists(link, LinkOption.NOFOLLOW_LINKS) && Files.exists(hostFile),
                "unlink acts on the link: nothing protected was touched");
    }

    // ---- creates ----

    @Test
    void creatingInAProtectedDirectoryIsRefused() throws Exception {
        Path directory = protectedDir.resolve("newdir");
        Path nested = protectedDir.resolve("a/b");
        Path file = protectedDir.resolve("new");

        refused("host-stand-in", () -> Files.createDirectory(directory));
        refused("host-stand-in", () -> Files.createDirectories(nested));
        answersFalse(() -> directory.toFile().mkdir());
        answersFalse(() -> nested.toFile().mkdirs());
        refused("host-stand-in", () -> file.toFile().createNewFile());
        refused("host-stand-in", () -> File.createTempFile("hostguard", ".tmp", protectedDir.toFile()));
        refused("host-stand-in", () -> Files.createFile(file)); // an O_CREAT|O_EXCL open, judged as before
        try (var listing = Files.list(protectedDir)) {
            assertEquals(0, listing.count(), "nothing created");
        }
        assertEquals("write", eventFor("file-create", directory).at("/hostguard/access").asText());
        eventFor("file-create", file);

        inRequest(true, () -> {
            Files.createDirectory(directory);
            assertTrue(nested.toFile().mkdirs());
            assertTrue(file.toFile().createNewFile());
            File.createTempFile("hostguard", ".tmp", protectedDir.toFile());
        });
        try (var listing = Files.list(protectedDir)) {
            assertEquals(4, listing.count(), "a user's creates go ahead");
        }
    }

    // ---- attributes ----

    @Test
    void changingTheModeOfAProtectedFileIsRefused() throws Exception {
        Path binary = Files.writeString(protectedDir.resolve("bin"), "#!/bin/sh");
        Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rw-r--r--"));
        String before = mode(binary);

        IOException setUid = refused("host-stand-in",
                () -> Files.setAttribute(binary, "unix:mode", 04755));
        refused("host-stand-in", () -> Files.setPosixFilePermissions(binary,
                PosixFilePermissions.fromString("rwxrwxrwx")));
        refused("host-stand-in", () -> Files.getFileAttributeView(binary, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS).setPermissions(PosixFilePermissions.fromString("rwxrwxrwx")));
        answersFalse(() -> binary.toFile().setExecutable(true, false));
        answersFalse(() -> binary.toFile().setExecutable(true));
        answersFalse(() -> binary.toFile().setWritable(true, false));
        answersFalse(() -> binary.toFile().setReadable(false));
        answersFalse(() -> binary.toFile().setReadOnly());
        assertEquals(before, mode(binary), "the mode is unchanged");
        assertEquals(0, (int) Files.getAttribute(binary, "unix:mode") & 07000, "no set-uid bit");

        List<String> changes = new ArrayList<>();
        for (JsonNode event : eventsOf("file-attributes")) {
            if (binary.toString().equals(event.at("/file/path").asText())) {
                assertEquals("change", event.at("/hostguard/access").asText());
                changes.add(event.at("/hostguard/change").asText());
            }
        }
        assertTrue(changes.contains("mode 4755") && changes.contains("mode 777") && changes.contains("mode a+x")
                && changes.contains("mode u+x") && changes.contains("mode a+w") && changes.contains("mode u-r")
                && changes.contains("mode a-w"), changes + " " + setUid.getMessage());

        inRequest(true, () -> Files.setAttribute(binary, "unix:mode", 0755));
        assertEquals("rwxr-xr-x", mode(binary), "a user's chmod goes ahead");
        assertTrue(binary.toFile().setExecutable(false, false), "outside requests: untouched");
    }

    @Test
    void changingTheModeThroughASymbolicLinkChangesItsTargetAndIsRefused() throws Exception {
        Path hostFile = Files.writeString(protectedDir.resolve("docker.sock.stand-in"), "x");
        Files.setPosixFilePermissions(hostFile, PosixFilePermissions.fromString("rw-------"));
        Path link = Files.createSymbolicLink(plainDir.resolve("innocent"), hostFile);
        refused("host-stand-in", () -> Files.setPosixFilePermissions(link, PosixFilePermissions.fromString("rw-rw-rw-")));
        answersFalse(() -> link.toFile().setWritable(true, false));
        assertEquals("rw-------", mode(hostFile));
        assertEquals(link.toString(), eventFor("file-attributes", hostFile).at("/file/original_path").asText());
    }

    @Test
    void changingTheOwnerTimesOrExtendedAttributesOfAProtectedFileIsRefused() throws Exception {
        Path file = Files.writeString(protectedDir.resolve("motd"), "welcome");
        FileTime before = Files.getLastModifiedTime(file);
        FileTime past = FileTime.fromMillis(before.toMillis() - 86_400_000L);

        refused("host-stand-in", () -> Files.setOwner(file, Files.getOwner(file)));
        refused("host-stand-in", () -> Files.setAttribute(file, "posix:group", Files.getAttribute(file, "posix:group")));
        refused("host-stand-in", () -> Files.setLastModifiedTime(file, past));
        refused("host-stand-in", () -> Files.getFileAttributeView(file, BasicFileAttributeView.class)
                .setTimes(past, past, null));
        answersFalse(() -> file.toFile().setLastModified(past.toMillis()));
        UserDefinedFileAttributeView xattrs = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
        refused("host-stand-in", () -> xattrs.write("hostguard", ByteBuffer.wrap("x".getBytes(StandardCharsets.UTF_8))));
        refused("host-stand-in", () -> xattrs.delete("hostguard"));
        refused("host-stand-in", () -> Files.setAttribute(file, "dos:hidden", true));
        assertEquals(before, Files.getLastModifiedTime(file), "the times are unchanged");

        List<String> changes = new ArrayList<>();
        for (JsonNode event : eventsOf("file-attributes")) {
            if (file.toString().equals(event.at("/file/path").asText())) {
                changes.add(event.at("/hostguard/change").asText());
            }
        }
        assertTrue(changes.contains("owner") && changes.contains("times") && changes.contains("xattr hostguard")
                && changes.contains("xattr user.DOSATTRIB"), changes.toString());

        inRequest(true, () -> Files.setLastModifiedTime(file, past));
        assertEquals(past.toMillis(), Files.getLastModifiedTime(file).toMillis(), "a user's change goes ahead");
        try {
            inRequest(true, () -> xattrs.write("hostguard", ByteBuffer.wrap(new byte[] {1})));
        } catch (FileSystemException unsupported) {
            // a file system without user xattrs (older tmpfs): the JDK's own refusal (ours is no FileSystemException)
        }
    }

    @Test
    void changingAttributesThroughASecureDirectoryStreamIsRefused() throws Exception {
        Path file = Files.writeString(protectedDir.resolve("config"), "x");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        FileTime before = Files.getLastModifiedTime(file);
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(protectedDir)) {
            if (!(stream instanceof SecureDirectoryStream<Path> secure)) {
                return;
            }
            Path name = Path.of("config");
            PosixFileAttributeView posix = secure.getFileAttributeView(name, PosixFileAttributeView.class);
            refused("host-stand-in", () -> posix.setPermissions(PosixFilePermissions.fromString("rwxrwxrwx")));
            refused("host-stand-in", () -> posix.setOwner(Files.getOwner(file)));
            refused("host-stand-in", () -> secure.getFileAttributeView(name, BasicFileAttributeView.class)
                    .setTimes(FileTime.fromMillis(0), null, null));
            refused("host-stand-in", () -> secure.getFileAttributeView(PosixFileAttributeView.class)
                    .setPermissions(PosixFilePermissions.fromString("rwxrwxrwx")));
        }
        assertEquals("rw-------", mode(file));
        assertEquals(before, Files.getLastModifiedTime(file));
        List<String> changes = new ArrayList<>();
        for (JsonNode event : eventsOf("file-attributes")) {
            if (file.toString().equals(event.at("/file/path").asText())) {
                changes.add(event.at("/hostguard/change").asText());
            }
        }
        assertTrue(changes.contains("mode 777") && changes.contains("owner") && changes.contains("times"),
                "the set of permissions as a mode: " + changes);
        JsonNode directoryEvent = eventFor("file-attributes", protectedDir);
        assertEquals("mode 777", directoryEvent.at("/hostguard/change").asText(), "the stream's own directory");
    }

    @Test
    void ordinaryChangesOutsideProtectedPathsGoAheadInAnApiKeyRequest() throws Exception {
        long before = Files.size(events);
        inRequest(false, () -> {
            Path a = Files.writeString(plainDir.resolve("a"), "x");
            Path b = Files.move(a, plainDir.resolve("b"));
            Files.createLink(plainDir.resolve("c"), b);
            Files.createSymbolicLink(plainDir.resolve("d"), b);
            Files.setPosixFilePermissions(b, PosixFilePermissions.fromString("rwx------"));
            Files.setLastModifiedTime(b, FileTime.fromMillis(0));
            Files.createDirectory(plainDir.resolve("e"));
            assertTrue(plainDir.resolve("e").toFile().delete());
            assertTrue(b.toFile().renameTo(plainDir.resolve("f").toFile()));
            assertTrue(plainDir.resolve("f").toFile().setExecutable(false));
            Files.delete(plainDir.resolve("f"));
            File.createTempFile("hostguard", ".tmp", plainDir.toFile()).delete();
        });
        assertEquals(before, Files.size(events), "no event for changes no rule protects");
    }
}
