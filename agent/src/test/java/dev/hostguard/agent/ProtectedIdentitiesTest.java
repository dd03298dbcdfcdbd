package dev.hostguard.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.policy.FileAccess;
import dev.hostguard.agent.policy.PathRules;
import dev.hostguard.agent.policy.Rule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ProtectedIdentities}: the protected regular files by device and inode, walked from the path rules. */
class ProtectedIdentitiesTest {
    private static final Rule SHADOW = new Rule("test-shadow", "test", EnumSet.of(FileAccess.READ, FileAccess.WRITE),
            "a shadow-like file", "test");
    private static final Rule KEYS = new Rule("test-keys", "test", EnumSet.of(FileAccess.READ), "keys", "test");
    private static final Rule WRITES = new Rule("test-writes", "test", EnumSet.of(FileAccess.WRITE), "w", "test");

    @TempDir
    Path tmp;

    @Test
    void concreteFilesTreesStarsAndPrefixesAreKnownByIdentity() throws Exception {
        Path dir = tmp.toRealPath();
        Path shadow = Files.writeString(Files.createDirectories(dir.resolve("etc")).resolve("shadow"), "s");
        Path key = Files.writeString(Files.createDirectories(dir.resolve("home/ann/.ssh/deep")).resolve("id"), "k");
        Path sda = Files.writeString(dir.resolve("etc/sda1"), "d");
        Path writeOnly = Files.writeString(dir.resolve("etc/written"), "w");
        Path harmless = Files.writeString(dir.resolve("notes"), "n");
        PathRules rules = PathRules.builder()
                .path(SHADOW, EnumSet.of(FileAccess.READ), dir + "/etc/shadow")
                .path(KEYS, EnumSet.of(FileAccess.READ), dir + "/home/*/.ssh/**")
                .path(KEYS, EnumSet.of(FileAccess.READ), dir + "/etc/sd*")
                .path(WRITES, EnumSet.of(FileAccess.WRITE), dir + "/etc/written")
                .path(KEYS, EnumSet.of(FileAccess.READ), "/proc/<pid>/environ")
                .build();

        ProtectedIdentities index = ProtectedIdentities.of(rules, FileAccess.READ);

        assertFound(index, shadow, SHADOW);
        assertFound(index, key, KEYS);
        assertFound(index, sda, KEYS);
        assertNull(find(index, writeOnly), "protected against writes only: not a read's identity");
        assertNull(find(index, harmless));
        assertFalse(index.truncated());
        assertEquals(3, index.size());
    }

    @Test
    void aHardLinkHasTheIdentityOfTheFileItIs() throws Exception {
        Path dir = tmp.toRealPath();
        Path shadow = Files.writeString(dir.resolve("shadow"), "s");
        Path link = Files.createLink(dir.resolve("innocent"), shadow);
        ProtectedIdentities index = ProtectedIdentities.of(PathRules.builder()
                .path(SHADOW, EnumSet.of(FileAccess.READ), shadow.toString()).build(), FileAccess.READ);

        ProtectedIdentities.Protected found = find(index, link);
        assertSame(SHADOW, found.rule());
        assertEquals(shadow.toString(), found.path(), "named as the protected file, not as the link");
    }

    @Test
    void theWalkIsBounded() throws Exception {
        Path dir = tmp.toRealPath();
        Path deep = dir.resolve("tree");
        for (int i = 0; i < ProtectedIdentities.MAX_DEPTH + 2; i++) {
            deep = deep.resolve("d" + i);
        }
        Path tooDeep = Files.writeString(Files.createDirectories(deep).resolve("f"), "x");
        ProtectedIdentities index = ProtectedIdentities.of(PathRules.builder()
                .path(KEYS, EnumSet.of(FileAccess.READ), dir + "/tree/**").build(), FileAccess.READ);
        assertNull(find(index, tooDeep), "below the depth bound: judged by name only");
    }

    private static void assertFound(ProtectedIdentities index, Path file, Rule rule) throws Exception {
        ProtectedIdentities.Protected found = find(index, file);
        assertTrue(found != null, () -> file + " not known");
        assertSame(rule, found.rule());
        assertEquals(file.toString(), found.path());
    }

    private static ProtectedIdentities.Protected find(ProtectedIdentities index, Path file) throws Exception {
        Map<String, Object> id = Files.readAttributes(file, "unix:dev,ino");
        return index.find((Long) id.get("dev"), (Long) id.get("ino"));
    }
}
