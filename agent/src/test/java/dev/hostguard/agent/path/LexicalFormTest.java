package dev.hostguard.agent.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link PathResolver#lexical}: the form read-only opens are matched by before they happen. */
class LexicalFormTest {
    private final PathResolver resolver = new PathResolver("/srv/app");

    @Test
    void aNormalAbsolutePathIsItselfNotACopy() {
        String path = "/etc/hostname";
        assertSame(path, resolver.lexical(PathResolver.AT_FDCWD, path));
        assertSame(path, resolver.lexical(12, path));
        assertTrue(PathResolver.isNormalAbsolute("/"));
        assertTrue(PathResolver.isNormalAbsolute("/a/.b/..c/b..."));
    }

    @Test
    void otherSpellingsAreNormalised() {
        assertEquals("/srv/app/data/x", resolver.lexical(PathResolver.AT_FDCWD, "data/./x"));
        assertEquals("/proc/self/environ", resolver.lexical(PathResolver.AT_FDCWD, "//proc/./self/fd/../environ"));
        assertEquals("/etc/shadow", resolver.lexical(PathResolver.AT_FDCWD, "../../etc/shadow"));
        assertEquals("/tmp", resolver.lexical(PathResolver.AT_FDCWD, "/tmp/"));
        for (String notNormal : new String[] {"", "a", "/a//b", "/a/./b", "/a/../b", "/a/", "/a/.", "/a/.."}) {
            assertFalse(PathResolver.isNormalAbsolute(notNormal), notNormal);
        }
    }

    @Test
    void aRelativePathUnderAnOpenDirectoryHasNoLexicalForm() {
        assertNull(resolver.lexical(5, "shadow"), "only the descriptor knows where that is: judged after the open");
        assertEquals("/etc/shadow", resolver.lexical(5, "/etc/shadow"));
    }
}
