package dev.hostguard.agent.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PathResolverTest {
    private static final String PID = Long.toString(ProcessHandle.current().pid());

    @TempDir
    Path dir;

    private String real() throws IOException {
        return dir.toRealPath().toString();
    }

    @Test
    void relativePathsAreResolvedAgainstTheWorkingDirectoryAndNormalised() {
        PathResolver resolver = new PathResolver("/srv/app/");
        ResolvedPath path = resolver.resolve("./logs//../../etc/./passwd");
        assertEquals("./logs//../../etc/./passwd", path.given());
        assertEquals("/srv/etc/passwd", path.absolute());
        assertEquals("/", resolver.resolve("../../../..").absolute());
        assertEquals("/srv/app", resolver.resolve("").absolute());
        assertEquals("/etc/shadow", resolver.resolve("/../etc//shadow/").absolute());
        assertEquals("/srv/app", resolver.workingDirectory());
    }

    @Test
    void canonicalIsAbsoluteWhenNothingIsALink() throws IOException {
        Files.createDirectories(dir.resolve("a/b"));
        Files.writeString(dir.resolve("a/b/f.txt"), "x");
        PathResolver resolver = new PathResolver(real());
        ResolvedPath existing = resolver.resolve("a/./b/../b/f.txt");
        assertEquals(real() + "/a/b/f.txt", existing.absolute());
        assertEquals(existing.absolute(), existing.canonical());
        ResolvedPath missing = resolver.resolve("a/b/new/upload-1.bin");
        assertEquals(real() + "/a/b/new/upload-1.bin", missing.canonical());
    }

    @Test
    void aLinkIsSeenThroughAndItsMissingTailAppended() throws IOException {
        Files.createDirectories(dir.resolve("target/inner"));
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("target"));
        PathResolver resolver = new PathResolver(real());
        assertEquals(real() + "/target/inner", resolver.resolve("link/inner").canonical());
        assertEquals(real() + "/target/inner/not-yet", resolver.resolve("link/inner/not-yet").canonical());
        // ".." after a link climbs from the link's target, as the kernel does, not from its spelling
        assertEquals(real() + "/link/other", resolver.resolve("link/inner/../../link/other").absolute());
        assertEquals(real() + "/other", resolver.resolve("link/inner/../../other").absolute());
        assertEquals(real() + "/target/x", resolver.resolve("link/inner/../x").canonical());
        assertEquals(real() + "/x", resolver.resolve("link/../x").canonical());
    }

    @Test
    void aLinkToASensitiveFileResolvesToIt() throws IOException {
        Files.createSymbolicLink(dir.resolve("innocent.txt"), Path.of("/etc/shadow"));
        ResolvedPath path = new PathResolver(real()).resolve("innocent.txt");
        assertEquals(real() + "/innocent.txt", path.absolute());
        assertEquals("/etc/shadow", path.canonical());
    }

    @Test
    void aDanglingLinkIsFollowedToTheFileACreatingOpenWouldMake() throws IOException {
        Files.createSymbolicLink(dir.resolve("preload"), Path.of("/etc/hostguard-test-missing/ld.so.preload"));
        Files.createSymbolicLink(dir.resolve("relative"), Path.of("../hostguard-missing-sibling"));
        PathResolver resolver = new PathResolver(real());
        assertEquals("/etc/hostguard-test-missing/ld.so.preload", resolver.resolve("preload").canonical());
        assertEquals(dir.toRealPath().getParent() + "/hostguard-missing-sibling",
                resolver.resolve("relative").canonical());
    }

    @Test
    void aLinkPlantedAfterAFirstResolveIsSeenOnTheNext() throws IOException {
        PathResolver resolver = new PathResolver(real());
        assertEquals(real() + "/planted", resolver.resolve("planted").canonical());
        Files.createSymbolicLink(dir.resolve("planted"), Path.of("/proc/self/environ"));
        assertEquals("/proc/" + PID + "/environ", resolver.resolve("planted").canonical());
        Files.delete(dir.resolve("planted"));
        Files.createSymbolicLink(dir.resolve("planted"), Path.of("/etc/passwd"));
        assertEquals("/etc/passwd", resolver.resolve("planted").canonical());
    }

    @Test
    void linkLoopsAndLongChainsEndWithoutThrowing() throws IOException {
        Files.createSymbolicLink(dir.resolve("loop-a"), dir.resolve("loop-b"));
        Files.createSymbolicLink(dir.resolve("loop-b"), dir.resolve("loop-a"));
        ResolvedPath loop = new PathResolver(real()).resolve("loop-a/x");
        assertTrue(loop.canonical().startsWith(real() + "/loop-"), loop.canonical());
        Path previous = Path.of("/etc/passwd");
        for (int i = 0; i < 30; i++) {
            Path link = dir.resolve("chain-" + i);
            Files.createSymbolicLink(link, previous);
            previous = link;
        }
        assertEquals("/etc/passwd", new PathResolver(real()).resolve(previous.toString()).canonical());
    }

    @Test
    void procSelfAndThreadSelfResolveToTheProcessAndThreadDirectories() {
        PathResolver resolver = new PathResolver("/");
        assertEquals("/proc/" + PID + "/environ", resolver.resolve("/proc/self/environ").canonical());
        String threadSelf = resolver.resolve("/proc/thread-self/cmdline").canonical();
        assertTrue(threadSelf.matches("/proc/" + PID + "/task/[0-9]+/cmdline"), threadSelf);
        assertEquals("/proc/" + PID + "/status", resolver.resolve("/proc/self/status").canonical());
        assertEquals("/proc/" + PID, resolver.resolve("/proc/self").canonical());
        String run = Files.isSymbolicLink(Path.of("/var/run")) ? "/run" : "/var/run";
        assertEquals(run + "/hostguard-missing.sock", resolver.resolve("/var/run/hostguard-missing.sock").canonical());
    }

    @Test
    void procMagicLinksAreKeptNotFollowed() throws IOException {
        PathResolver resolver = new PathResolver("/");
        assertEquals("/proc/" + PID + "/root/etc/passwd", resolver.resolve("/proc/self/root/etc/passwd").canonical());
        assertEquals("/proc/" + PID + "/exe", resolver.resolve("/proc/self/exe").canonical());
        assertEquals("/proc/" + PID + "/cwd", resolver.resolve("/proc/self/cwd").canonical());
        // planted: a link to another process's root stays visible as one
        Files.createSymbolicLink(dir.resolve("escape"), Path.of("/proc/1/root"));
        assertEquals("/proc/1/root/etc/hostname",
                new PathResolver(real()).resolve("escape/etc/hostname").canonical());
    }

    @Test
    void aDescriptorThatNamesNoFileIsNotFollowed() throws IOException {
        try (FileChannel ignored = FileChannel.open(dir.resolve("f"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            // a socket or pipe reads as "socket:[…]"; the JVM holds at least one socket (the attach listener
            // may not), so look for any descriptor whose link is not a path
            String pseudo = null;
            try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
                for (Path fd : (Iterable<Path>) fds::iterator) {
                    try {
                        if (!Files.readSymbolicLink(fd).toString().startsWith("/")) {
                            pseudo = fd.toString();
                        }
                    } catch (IOException closedMeanwhile) {
                        // the listing's own descriptor
                    }
                }
            }
            if (pseudo != null) {
                ResolvedPath path = new PathResolver("/").resolve(pseudo);
                assertEquals(path.absolute(), path.canonical());
            }
        }
    }

    @Test
    void resolveAtTheWorkingDirectoryDescriptorIsResolve() throws IOException {
        PathResolver resolver = new PathResolver(real());
        assertEquals(resolver.resolve("a/../b"), resolver.resolveAt(PathResolver.AT_FDCWD, "a/../b"));
        assertEquals("/etc/passwd", resolver.resolveAt(12345, "/etc/passwd").absolute());
    }

    @Test
    void resolveAtADirectoryDescriptorFollowsTheDirectoryEvenWhenRenamed() throws IOException {
        Path opened = Files.createDirectories(dir.resolve("opened"));
        Files.createSymbolicLink(opened.resolve("to-shadow"), Path.of("/etc/shadow"));
        try (FileChannel directory = FileChannel.open(opened, StandardOpenOption.READ)) {
            int fd = descriptorPointingAt(opened.toRealPath().toString());
            PathResolver resolver = new PathResolver("/");

            ResolvedPath path = resolver.resolveAt(fd, "sub/../file.txt");
            assertEquals("sub/../file.txt", path.given());
            assertEquals(real() + "/opened/file.txt", path.absolute());
            assertEquals("/etc/shadow", resolver.resolveAt(fd, "to-shadow").canonical());

            // openat follows the directory, not its name
            Files.move(opened, dir.resolve("moved"));
            assertEquals(real() + "/moved/file.txt", resolver.resolveAt(fd, "file.txt").absolute());
            assertNotNull(directory);
        }
    }

    @Test
    void anUnknownDescriptorIsSpelledThroughItsMagicLink() {
        PathResolver resolver = new PathResolver("/");
        int closed = 987_654;
        ResolvedPath path = resolver.resolveAt(closed, "../../etc/shadow");
        assertEquals("/proc/self/fd/" + closed + "/etc/shadow", path.absolute());
        assertEquals(path.absolute(), path.canonical());
        assertEquals("/proc/self/fd/-7", resolver.resolveAt(-7, "").absolute());
        assertEquals("/proc/self/fd/-7/x", resolver.resolveAt(-7, "x").absolute());
    }

    @Test
    void oddInputNeverThrows() {
        PathResolver resolver = new PathResolver(null);
        assertEquals("/", resolver.workingDirectory());
        assertEquals("", resolver.resolve(null).given());
        ResolvedPath nul = resolver.resolve("/etc/shadow\0.txt");
        assertEquals(nul.absolute(), nul.canonical());
        String longName = "a".repeat(5000);
        assertEquals("/" + longName, resolver.resolve(longName).canonical());
        String deep = "d/".repeat(3000);
        assertEquals(resolver.resolve(deep).absolute(), resolver.resolve(deep).canonical());
        assertEquals("/\uD800x", resolver.resolve("\uD800x").absolute());
    }

    /** The descriptor of a directory held open (FileChannel.open works on a directory on Linux). */
    private static int descriptorPointingAt(String directory) throws IOException {
        List<Path> fds;
        try (Stream<Path> listing = Files.list(Path.of("/proc/self/fd"))) {
            fds = listing.collect(Collectors.toList());
        }
        for (Path fd : fds) {
            try {
                if (Files.readSymbolicLink(fd).toString().equals(directory)) {
                    return Integer.parseInt(fd.getFileName().toString());
                }
            } catch (IOException closedMeanwhile) {
                // the listing's own descriptor
            }
        }
        throw new AssertionError("no descriptor points at " + directory);
    }

    /** Removes the links before JUnit deletes the directory (it warns about each link that leaves it). */
    @AfterEach
    void removeLinks() throws IOException {
        List<Path> links;
        try (Stream<Path> walk = Files.walk(dir)) {
            links = walk.filter(Files::isSymbolicLink).collect(Collectors.toList());
        }
        for (Path link : links) {
            Files.deleteIfExists(link);
        }
    }
}
