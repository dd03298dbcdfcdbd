package dev.hostguard.agent.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.config.PolicyParser;
import dev.hostguard.agent.path.PathResolver;
import dev.hostguard.agent.path.ResolvedPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The {@code hostguard-files} rule: which paths it protects, for which accesses, and how it decides. */
class HostGuardFilesTest {
    @TempDir
    Path dir;

    /** The layout the kubelet writes: policy.yaml -> ..data/policy.yaml, ..data -> ..<timestamp>. */
    private Path configMap() throws Exception {
        Path volume = Files.createDirectories(dir.resolve("config"));
        Path first = Files.createDirectory(volume.resolve("..2026_12_07_00_00_00.1"));
        Files.writeString(first.resolve("policy.yaml"), "mode: block\n");
        Files.createSymbolicLink(volume.resolve("..data"), first.getFileName());
        return Files.createSymbolicLink(volume.resolve("policy.yaml"), Path.of("..data/policy.yaml"));
    }

    private static PathRules rules(HostGuardFiles own) {
        PathRules.Builder builder = PathRules.builder();
        own.addTo(builder);
        return builder.addDefaults().build();
    }

    private static String ruleOf(PathRules rules, FileAccess access, String cwd, String path) {
        Rule rule = rules.match(access, new PathResolver(cwd).resolve(path));
        return rule == null ? null : rule.id();
    }

    @Test
    void aConfigMapPolicyIsProtectedWhereverItIsReadThrough() throws Exception {
        Path policy = configMap();
        Path volume = policy.getParent();
        HostGuardFiles own = HostGuardFiles.of(policy, null, null, "/");
        PathRules rules = rules(own);
        for (String written : List.of("config/policy.yaml", "config/..data", "config/..data/policy.yaml",
                "config/..2026_12_07_00_00_00.1/policy.yaml", "config/..2026_12_07_00_00_00.1",
                "config/..data_tmp", "config/..2026_12_08_00_00_00.2", "config")) {
            String path = dir.resolve(written).toString();
            assertEquals("hostguard-files", ruleOf(rules, FileAccess.WRITE, "/", path), written);
            assertTrue(own.touchesPolicy(new PathResolver("/").resolve(path)), written);
        }
        assertNull(ruleOf(rules, FileAccess.READ, "/", volume.resolve("policy.yaml").toString()), "reads are free");
        assertNull(ruleOf(rules, FileAccess.WRITE, "/", volume.resolve("other.yaml").toString()));
        assertFalse(own.touchesPolicy(new PathResolver("/").resolve(volume.resolve("other.yaml").toString())));
        assertNull(ruleOf(rules, FileAccess.WRITE, "/", dir.resolve("config-other/..x").toString()));
    }

    @Test
    void theEventsFileAndItsRotationsAreProtectedThroughASymlinkAndRelativeToTheWorkingDirectory() throws Exception {
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Path real = Files.writeString(logs.resolve("events.jsonl"), "");
        Path cwd = Files.createDirectories(dir.resolve("cwd"));
        Files.createSymbolicLink(cwd.resolve("events-link.jsonl"), real);
        HostGuardFiles own = HostGuardFiles.of(Path.of("policy.yaml"), Path.of("events-link.jsonl"), null,
                cwd.toString());
        PathRules rules = rules(own);
        for (String written : List.of(real.toString(), real + ".1", real + "-20261207.gz",
                cwd.resolve("events-link.jsonl").toString(), cwd.resolve("events-link.jsonl.1").toString(),
                "events-link.jsonl", "/proc/self/cwd/events-link.jsonl", "/proc/self/cwd/policy.yaml", "policy.yaml",
                dir.resolve("cwd/../cwd/policy.yaml").toString())) {
            assertEquals("hostguard-files", ruleOf(rules, FileAccess.WRITE, cwd.toString(), written), written);
        }
        assertNull(ruleOf(rules, FileAccess.WRITE, cwd.toString(), logs.resolve("app.log").toString()));
        assertNull(ruleOf(rules, FileAccess.READ, cwd.toString(), real.toString()));
        // a hard-to-read spelling still counts as the policy for tampering
        assertTrue(own.touchesPolicy(new PathResolver(cwd.toString()).resolve("/proc/1/cwd/policy.yaml")));
        assertFalse(own.touchesPolicy(new PathResolver(cwd.toString()).resolve(real.toString())),
                "the events file is no policy path");
    }

    @Test
    void theAgentJarIsProtectedNotAClassDirectory() throws Exception {
        Path jar = Files.writeString(dir.resolve("hostguard-agent.jar"), "");
        PathRules rules = rules(HostGuardFiles.of(null, null, jar, "/"));
        assertEquals("hostguard-files", ruleOf(rules, FileAccess.WRITE, "/", jar.toString()));
        assertTrue(HostGuardFiles.of(null, null, dir, "/").isEmpty());
    }

    @Test
    void anEventsFileThatIsADescriptorsAliasProtectsNoOtherDescriptors() {
        PathRules rules = rules(HostGuardFiles.of(null, Path.of("/dev/stdout"), null, "/"));
        assertEquals("hostguard-files", ruleOf(rules, FileAccess.WRITE, "/", "/dev/stdout"));
        assertEquals("proc-magic-links", ruleOf(rules, FileAccess.WRITE, "/", "/proc/self/fd/12"),
                "not every descriptor ours: the rule that guards them anyway");
        assertTrue(HostGuardFiles.of(null, Path.of("/dev/stdout"), null, "/").describe().stream()
                .noneMatch(p -> p.startsWith("/proc/self/fd/1*")));
    }

    @Test
    void aNameWithGlobCharactersIsTakenLiterally() throws Exception {
        Path events = dir.resolve("ev*ents?.jsonl");
        HostGuardFiles own = HostGuardFiles.of(null, events, null, "/");
        PathRules rules = rules(own);
        assertEquals("hostguard-files", ruleOf(rules, FileAccess.WRITE, "/", events.toString()));
        assertNull(ruleOf(rules, FileAccess.WRITE, "/", dir.resolve("evXentsY.jsonl").toString()));
    }

    @Test
    void aPolicyFileReplacedByRenameIsStillTheSamePaths() throws Exception {
        Path policy = configMap();
        Path volume = policy.getParent();
        Path second = Files.createDirectory(volume.resolve("..2026_12_07_00_01_00.2"));
        Files.writeString(second.resolve("policy.yaml"), "mode: audit\n");
        Files.createSymbolicLink(volume.resolve("..data_tmp"), second.getFileName());
        Files.move(volume.resolve("..data_tmp"), volume.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
        PathRules rules = rules(HostGuardFiles.of(policy, null, null, "/"));
        assertEquals("hostguard-files", ruleOf(rules, FileAccess.WRITE, "/", second.resolve("policy.yaml").toString()),
                "recomputed at a reload: the new ..<timestamp> directory");
    }

    private static final ResolvedPath EVENTS = new ResolvedPath("/logs/events.jsonl", "/logs/events.jsonl",
            "/logs/events.jsonl");

    /** Refused in audit mode too, for guarded requests only; an operator's rule action and allow entries apply. */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"AUDIT", "BLOCK"})
    void aWriteInAGuardedRequestIsRefusedInEitherMode(Mode mode) throws Exception {
        HostGuardFiles own = HostGuardFiles.of(null, Path.of("/logs/events.jsonl"), null, "/");
        PolicyEngine engine = new PolicyEngine(Policy.DEFAULT, mode, List.of(), Map.of(), own);
        Rule rule = engine.pathRules().match(FileAccess.WRITE, EVENTS);
        assertEquals(HostGuardFiles.RULE, rule);
        Operation write = Operation.file(FileAccess.WRITE, EVENTS, rule);
        assertEquals(Decision.Verdict.BLOCK, engine.decide(write, AuthClass.API_KEY).verdict());
        assertEquals(Decision.Verdict.BLOCK, engine.decide(write, AuthClass.NONE).verdict());
        assertEquals(Decision.Verdict.ALLOW, engine.decide(write, AuthClass.USER).verdict());
        assertEquals(Decision.Verdict.ALLOW, engine.decide(write, null).verdict(), "outside requests: the default");

        Policy logged = PolicyParser.parse("auth:\n  api-key: log\n", "test");
        assertEquals(Decision.Verdict.BLOCK, new PolicyEngine(logged, mode, List.of(), Map.of(), own)
                .decide(write, AuthClass.API_KEY).verdict(), "an auth class the policy only logs: refused too");
        Policy ruleLogged = PolicyParser.parse("rules:\n  - id: hostguard-files\n    action: log\n", "test");
        assertEquals(Decision.Verdict.LOG, new PolicyEngine(ruleLogged, mode, List.of(), Map.of(), own)
                .decide(write, AuthClass.API_KEY).verdict(), "the operator's own rule action stands");
        Policy free = PolicyParser.parse("auth:\n  api-key: allow\n", "test");
        assertFalse(new PolicyEngine(free, mode, List.of(), Map.of(), own).guards(AuthClass.API_KEY, null));
    }
}
