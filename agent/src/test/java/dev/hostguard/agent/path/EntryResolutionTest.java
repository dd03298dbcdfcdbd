package dev.hostguard.agent.path;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PathResolver#resolveEntryAt}: the name itself, its directory canonical (what unlink and rename act on). */
class EntryResolutionTest {
    @TempDir
    Path dir;

    @Test
    void aLinkIsTheLinkItsDirectoryIsCanonical() throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "x");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        Path linkedDir = Files.createSymbolicLink(dir.resolve("linked"), dir);
        PathResolver resolver = new PathResolver(dir.toString());

        assertEquals(new ResolvedPath("link", link.toString(), link.toString()),
                resolver.resolveEntryAt(PathResolver.AT_FDCWD, "link"));
        assertEquals(target.toString(), resolver.resolveAt(PathResolver.AT_FDCWD, "link").canonical(),
                "the following form goes through");
        ResolvedPath through = resolver.resolveEntryAt(PathResolver.AT_FDCWD, linkedDir + "/link");
        assertEquals(linkedDir + "/link", through.absolute());
        assertEquals(link.toString(), through.canonical());
        assertEquals(dir.resolve("missing").toString(),
                resolver.resolveEntryAt(PathResolver.AT_FDCWD, linkedDir + "/missing/").canonical());
        assertEquals(dir.getParent().toString(), resolver.resolveEntryAt(PathResolver.AT_FDCWD, "..").canonical());
        assertEquals("/x", resolver.resolveEntryAt(PathResolver.AT_FDCWD, "/x").canonical());
    }
}
