package dev.hostguard.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.bootstrap.HookHandler;
import dev.hostguard.agent.path.PathResolver;
import dev.hostguard.agent.policy.Action;
import dev.hostguard.agent.policy.FileAccess;
import dev.hostguard.agent.policy.Operation;
import dev.hostguard.agent.policy.PathRules;
import dev.hostguard.agent.policy.Rule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which paths a change judges, with which access, and what its findings say (no agent, a real directory). */
class FileChangesTest {
    private static final int AT = HookHandler.AT_FDCWD;

    @TempDir
    Path dir;
    private Path host;
    private Path token;
    private PathRules rules;
    private final PathResolver paths = new PathResolver("/");

    @BeforeEach
    void rules() throws Exception {
        host = Files.createDirectories(dir.resolve("host"));
        token = Files.writeString(dir.resolve("token"), "t");
        rules = PathRules.builder()
                .path(new Rule("host", "c", EnumSet.of(FileAccess.READ, FileAccess.WRITE, FileAccess.CHANGE), "d", "s"),
                        EnumSet.of(FileAccess.READ, FileAccess.WRITE, FileAccess.CHANGE), host + "/**")
                .path(new Rule("token", "c", EnumSet.of(FileAccess.READ), "d", "s"), EnumSet.of(FileAccess.READ),
                        token.toString())
                .build();
    }

    private List<Operation> findings(int operation, Object path, Object other) {
        return FileChanges.findings(paths, rules, operation, AT, path, AT, other, -1, null);
    }

    @Test
    void aRenameJudgesItsSourceAndItsTarget() throws Exception {
        Path inside = Files.writeString(host.resolve("a"), "x");
        List<Operation> both = findings(HookHandler.CHANGE_RENAME, inside.toString(), host.resolve("b").toString());
        assertEquals(2, both.size());
        assertEquals(inside.toString(), both.get(0).target());
        assertEquals(FileAccess.WRITE, both.get(0).access());
        assertEquals(host.resolve("b").toString(), both.get(0).targetPath());
        assertEquals(host.resolve("b").toString(), both.get(1).target());
        assertEquals(inside.toString(), both.get(1).targetPath());
        assertEquals(Action.FILE_RENAME, both.get(1).action());

        List<Operation> out = findings(HookHandler.CHANGE_RENAME, token.toString(), dir.resolve("stolen").toString());
        assertEquals(1, out.size(), "a read-only rule's file moved out: judged as its read");
        assertEquals(FileAccess.READ, out.get(0).access());
        assertEquals("token", out.get(0).rule().id());
        assertEquals(List.of(), findings(HookHandler.CHANGE_RENAME, dir.resolve("p").toString(),
                dir.resolve("q").toString()));
    }

    @Test
    void namesAreTheLinksThemselvesAttributesTheirTargets() throws Exception {
        Path hostFile = Files.writeString(host.resolve("passwd"), "x");
        Path link = Files.createSymbolicLink(dir.resolve("link"), hostFile);
        assertEquals(List.of(), findings(HookHandler.CHANGE_DELETE, link.toString(), null),
                "unlink removes the link, not the protected file");
        List<Operation> chmod = FileChanges.findings(paths, rules, HookHandler.CHANGE_MODE, AT, link.toString(), AT,
                null, -1, "mode a+x");
        assertEquals(hostFile.toString(), chmod.get(0).target(), "chmod follows the link");
        assertEquals(link.toString(), chmod.get(0).originalTarget());
        assertEquals("mode a+x", chmod.get(0).change());
        assertEquals(FileAccess.CHANGE, chmod.get(0).access());

        Path linkedDir = Files.createSymbolicLink(dir.resolve("via"), host);
        List<Operation> delete = findings(HookHandler.CHANGE_DELETE, linkedDir.resolve("passwd").toString(), null);
        assertEquals(hostFile.toString(), delete.get(0).target(), "a link on the way is followed, as the kernel does");
    }

    @Test
    void linksSymlinksDeletesAndCreatesAreWritesOfTheirNames() {
        Path newName = host.resolve("new");
        List<Operation> link = findings(HookHandler.CHANGE_LINK, token.toString(), newName.toString());
        assertEquals(2, link.size(), "the existing file (a read for the token's rule) and the new name");
        assertEquals(FileAccess.READ, link.get(0).access());
        assertEquals(FileAccess.WRITE, link.get(1).access());
        List<Operation> symlink = findings(HookHandler.CHANGE_SYMLINK, newName.toString(),
                "/etc/shadow".getBytes(StandardCharsets.UTF_8));
        assertEquals("/etc/shadow", symlink.get(0).targetPath());
        assertEquals(Action.FILE_SYMLINK, symlink.get(0).action());
        assertEquals(Action.FILE_CREATE, findings(HookHandler.CHANGE_CREATE, new java.io.File(newName.toString()),
                null).get(0).action());
        assertEquals(Action.FILE_DELETE, findings(HookHandler.CHANGE_DELETE, newName + "/", null).get(0).action());
    }

    @Test
    void whatAnAttributeChangeChanges() {
        assertEquals("mode 4755", FileChanges.change(HookHandler.CHANGE_MODE, null, 04755, null));
        assertEquals("mode 777", FileChanges.change(HookHandler.CHANGE_MODE,
                PosixFilePermissions.fromString("rwxrwxrwx"), -1, null));
        assertEquals("mode u+x", FileChanges.change(HookHandler.CHANGE_MODE, null, -1, "mode u+x"));
        assertEquals("owner", FileChanges.change(HookHandler.CHANGE_OWNER, null, -1, null));
        assertEquals("times", FileChanges.change(HookHandler.CHANGE_TIMES, null, -1, null));
        assertEquals("xattr user.a", FileChanges.change(HookHandler.CHANGE_XATTR, "user.a", -1, null));
        assertTrue(FileChanges.text("a\0junk".getBytes(StandardCharsets.UTF_8)).equals("a"));
    }
}
