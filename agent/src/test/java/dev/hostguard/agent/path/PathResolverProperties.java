package dev.hostguard.agent.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.policy.FileAccess;
import dev.hostguard.agent.policy.PathRules;
import dev.hostguard.agent.policy.Rule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Properties of {@link PathResolver} over a small tree with relative, absolute, parent and dangling links:
 *
 * <pre>
 * base/a/b/c/          base/a/b/f.txt
 * base/la    -> a      base/lab -> base/a/b   base/up -> ..   base/here -> .   base/dangling -> missing/x
 * base/a/b/back -> ../../a
 * </pre>
 */
class PathResolverProperties {
    private static Path base;
    private static PathResolver resolver;

    @BeforeContainer
    static void makeTree() throws IOException {
        base = Files.createTempDirectory("hostguard-paths").toRealPath();
        Files.createDirectories(base.resolve("a/b/c"));
        Files.writeString(base.resolve("a/b/f.txt"), "x");
        Files.createSymbolicLink(base.resolve("la"), Path.of("a"));
        Files.createSymbolicLink(base.resolve("lab"), base.resolve("a/b"));
        Files.createSymbolicLink(base.resolve("up"), Path.of(".."));
        Files.createSymbolicLink(base.resolve("here"), Path.of("."));
        Files.createSymbolicLink(base.resolve("dangling"), Path.of("missing/x"));
        Files.createSymbolicLink(base.resolve("a/b/back"), Path.of("../../a"));
        resolver = new PathResolver(base.toString());
    }

    @AfterContainer
    static void removeTree() throws IOException {
        try (Stream<Path> walk = Files.walk(base)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(path);
            }
        }
    }

    @Property
    void absoluteIsTheLexicalNormalForm(@ForAll("relativePaths") String path) {
        assertEquals(base.resolve(path).normalize().toString(), resolver.resolve(path).absolute());
    }

    @Property
    void absoluteIsTheLexicalNormalFormOfAnyPlainSpelling(@ForAll("plainSpellings") String path) {
        assertEquals(base.resolve(path).normalize().toString(), resolver.resolve(path).absolute());
    }

    /** What the read-only opens are matched by before the open: the same absolute form, with no look at the disk. */
    @Property
    void lexicalIsTheAbsoluteForm(@ForAll("plainSpellings") String path) {
        assertEquals(resolver.resolve(path).absolute(), resolver.lexical(PathResolver.AT_FDCWD, path));
        String absolute = resolver.resolve(path).absolute();
        assertEquals(absolute, resolver.lexical(7, absolute), "an absolute path ignores the descriptor");
    }

    @Property
    void canonicalIsTheRealPathWhereThePathExists(@ForAll("relativePaths") String path) {
        Path real;
        try {
            real = base.resolve(path).toRealPath();
        } catch (IOException doesNotExist) {
            return;
        }
        assertEquals(real.toString(), resolver.resolve(path).canonical());
    }

    @Property
    void aPathThroughALinkHasTheCanonicalFormOfItsTarget(@ForAll("links") String link, @ForAll("relativePaths") String rest) {
        String target = switch (link) {
            case "la" -> "a";
            case "lab" -> base + "/a/b";
            case "up" -> "..";
            case "here" -> ".";
            case "a/b/back" -> "a/b/../../a";
            default -> "missing/x";
        };
        assertEquals(resolver.resolve(target + "/" + rest).canonical(), resolver.resolve(link + "/" + rest).canonical());
    }

    @Property
    void canonicalIsAbsoluteWithoutDotsOrDoubleSlashes(@ForAll("relativePaths") String path) {
        assertNormal(resolver.resolve(path).canonical());
    }

    @Property(tries = 300)
    void aPlantedLinkToASensitivePathIsMatched(@ForAll("plantedLinks") PlantedLink planted) throws IOException {
        Path link = base.resolve(planted.where).resolve("planted-" + System.nanoTime());
        Files.createSymbolicLink(link, Path.of(planted.target));
        try {
            String spelled = base.relativize(link).toString();
            Rule rule = PathRules.defaults().match(planted.access, resolver.resolve(spelled));
            assertNotNull(rule, () -> spelled + " -> " + planted.target + " " + resolver.resolve(spelled));
            assertEquals(planted.rule, rule.id());
            // the same link by another spelling: through the "." link, and out of base by the ".." link and back
            String roundabout = "here/./up/" + base.getFileName() + "//" + spelled;
            Rule again = PathRules.defaults().match(planted.access, resolver.resolve(roundabout));
            assertEquals(planted.rule, again == null ? null : again.id(), roundabout);
        } finally {
            Files.delete(link);
        }
    }

    @Property
    void resolvingNeverThrows(@ForAll @StringLength(max = 300) String path, @ForAll int fd) {
        for (ResolvedPath resolved : List.of(resolver.resolve(path), resolver.resolveAt(fd, path),
                resolver.resolveAt(PathResolver.AT_FDCWD, path))) {
            assertTrue(resolved.absolute().startsWith("/"));
            assertNotNull(resolved.canonical());
            for (FileAccess access : FileAccess.values()) {
                PathRules.defaults().match(access, resolved);
            }
        }
    }

    @Property(tries = 50)
    void resolvingVeryLongOrBrokenNamesNeverThrows(@ForAll("hostile") String path) {
        ResolvedPath resolved = resolver.resolve(path);
        assertTrue(resolved.absolute().startsWith("/"));
        assertNotNull(resolved.canonical());
    }

    @Provide
    Arbitrary<String> relativePaths() {
        return Arbitraries.of("a", "b", "c", "f.txt", "la", "lab", "up", "here", "dangling", "back", "x", "..", ".", "")
                .list().ofMaxSize(8)
                .map(segments -> String.join("/", segments));
    }

    @Provide
    Arbitrary<String> plainSpellings() {
        return Arbitraries.strings().withChars("ab./").ofMaxLength(30);
    }

    @Provide
    Arbitrary<String> links() {
        return Arbitraries.of("la", "lab", "up", "here", "dangling", "a/b/back");
    }

    record PlantedLink(String where, String target, FileAccess access, String rule) {
    }

    @Provide
    Arbitrary<PlantedLink> plantedLinks() {
        Arbitrary<String> where = Arbitraries.of("", "a", "a/b", "a/b/c");
        Arbitrary<String[]> target = Arbitraries.of(
                new String[] {"/proc/self/environ", "READ", "proc-environ"},
                new String[] {"/proc/thread-self/environ", "READ", "proc-environ"},
                new String[] {"/proc/self/task/../environ", "READ", "proc-environ"},
                new String[] {"/proc/./self//cmdline", "READ", "proc-cmdline"},
                new String[] {"/etc/shadow", "READ", "credentials"},
                new String[] {"/etc/../etc//shadow", "WRITE", "credentials"},
                new String[] {"/var/run/docker.sock", "CONNECT", "runtime-socket"},
                new String[] {"/var/run/../run/hostguard-test/containerd.sock", "CONNECT", "runtime-socket"},
                new String[] {"/etc/ld.so.preload", "WRITE", "loader-preload"},
                new String[] {"/proc/sys/kernel/core_pattern", "WRITE", "core-pattern"},
                new String[] {"/proc/self/mem", "READ", "kernel-memory"},
                new String[] {"/proc/1/root", "LIST", "proc-magic-links"},
                new String[] {"/proc/self/root/etc/hostname", "READ", "proc-magic-links"},
                new String[] {"/proc/self/exe", "WRITE", "proc-exe-write"},
                new String[] {"/sys/kernel/debug/tracing", "READ", "recon"});
        return Combinators.combine(where, target)
                .as((w, t) -> new PlantedLink(w, t[0], FileAccess.valueOf(t[1]), t[2]));
    }

    @Provide
    Arbitrary<String> hostile() {
        Arbitrary<String> pieces = Arbitraries.oneOf(
                Arbitraries.of("..", ".", "", "\0", "\uD800", "\uDFFF", "\uFFFF", "é", "la", "up", "/proc/self/fd/0"),
                Arbitraries.strings().ofMinLength(200).ofMaxLength(300));
        return pieces.list().ofMinSize(1).ofMaxSize(200).map(list -> String.join("/", list));
    }

    private static void assertNormal(String path) {
        assertTrue(path.startsWith("/"), path);
        assertFalse(path.contains("//"), path);
        assertFalse(path.length() > 1 && path.endsWith("/"), path);
        for (String component : path.substring(1).split("/")) {
            assertFalse(component.equals(".") || component.equals(".."), path);
        }
    }
}
