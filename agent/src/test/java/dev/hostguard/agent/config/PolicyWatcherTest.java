package dev.hostguard.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.policy.Mode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watcher's looks at the file, called by hand: each change is seen once, after two looks agree. */
class PolicyWatcherTest {
    @TempDir
    Path dir;

    private final List<String> seen = new ArrayList<>();

    private PolicyWatcher watcher(Path policy) throws Exception {
        return new PolicyWatcher(policy, PolicyFile.load(policy).sha256(), Duration.ofSeconds(1),
                new PolicyWatcher.Listener() {
                    @Override
                    public void changed(PolicyFile loaded) {
                        seen.add("changed " + loaded.policy().mode().label() + " " + loaded.sha256().substring(0, 8));
                    }

                    @Override
                    public void refused(Path path, InvalidPolicyException problems) {
                        seen.add("refused " + problems.problems().get(0).message());
                    }
                });
    }

    /** Two looks: a change counts once the second finds the same bytes as the first. */
    private static void look(PolicyWatcher watcher) {
        watcher.check();
        watcher.check();
    }

    @Test
    void aRenameOverTheFileIsSeenOnceAndATouchIsNothing() throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "mode: audit\n");
        PolicyWatcher watcher = watcher(policy);
        look(watcher);
        assertEquals(List.of(), seen, "unchanged");

        Path saved = Files.writeString(dir.resolve(".policy.yaml.tmp"), "mode: block\n");
        Files.move(saved, policy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        watcher.check();
        assertEquals(List.of(), seen, "one look is not enough: the file may be half written");
        watcher.check();
        assertEquals(1, seen.size());
        assertTrue(seen.get(0).startsWith("changed block "), seen.toString());

        Files.setLastModifiedTime(policy, java.nio.file.attribute.FileTime.fromMillis(0));
        look(watcher);
        assertEquals(1, seen.size(), "the same bytes are no change");
    }

    @Test
    void aHalfWrittenFileIsNeverLoaded() throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "mode: block\n");
        PolicyWatcher watcher = watcher(policy);
        Files.writeString(policy, ""); // an editor truncates...
        watcher.check();
        Files.writeString(policy, "mode: block\nauth: {user: log}\n"); // ...then writes
        watcher.check();
        assertEquals(List.of(), seen, "the empty file (a valid, default policy) was never put in force");
        watcher.check();
        assertEquals(1, seen.size(), seen.toString());
    }

    @Test
    void aKubernetesConfigMapSymlinkSwapIsSeen() throws Exception {
        // the layout the kubelet writes: policy.yaml -> ..data/policy.yaml, ..data -> ..<timestamp>
        Path first = Files.createDirectory(dir.resolve("..2026_11_29_00_00_00.1"));
        Files.writeString(first.resolve("policy.yaml"), "mode: audit\n");
        Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
        Path policy = Files.createSymbolicLink(dir.resolve("policy.yaml"), Path.of("..data/policy.yaml"));
        PolicyWatcher watcher = watcher(policy);

        Path second = Files.createDirectory(dir.resolve("..2026_11_29_00_01_00.2"));
        Files.writeString(second.resolve("policy.yaml"), "mode: block\n");
        Files.createSymbolicLink(dir.resolve("..data_tmp"), second.getFileName());
        Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
        Files.delete(first.resolve("policy.yaml"));
        Files.delete(first);
        look(watcher);
        assertEquals(1, seen.size(), seen.toString());
        assertTrue(seen.get(0).startsWith("changed block"), seen.toString());
    }

    @Test
    void anInvalidChangeIsReportedOnceAndTheNextValidOneCounts() throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "mode: audit\n");
        PolicyWatcher watcher = watcher(policy);
        Files.writeString(policy, "mode: blok\n");
        look(watcher);
        look(watcher);
        assertEquals(List.of("refused bad value 'blok' for mode; expected audit, block, off; did you mean 'block'?"),
                seen);
        Files.writeString(policy, "mode: block\n");
        look(watcher);
        assertEquals(2, seen.size());
        assertEquals(Mode.BLOCK, PolicyFile.load(policy).policy().mode());
    }

    @Test
    void aFileThatIsGoneIsReportedWhenItStaysGone() throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "mode: audit\n");
        PolicyWatcher watcher = watcher(policy);
        Files.delete(policy);
        watcher.check();
        assertEquals(List.of(), seen, "a moment without the file (delete, then create) is no error");
        watcher.check();
        assertEquals(1, seen.size(), seen.toString());
        assertTrue(seen.get(0).startsWith("refused cannot read the policy file"), seen.toString());
    }
}
