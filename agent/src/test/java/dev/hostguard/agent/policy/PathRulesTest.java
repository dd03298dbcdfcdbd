package dev.hostguard.agent.policy;

import static dev.hostguard.agent.policy.FileAccess.CHANGE;
import static dev.hostguard.agent.policy.FileAccess.CONNECT;
import static dev.hostguard.agent.policy.FileAccess.LIST;
import static dev.hostguard.agent.policy.FileAccess.READ;
import static dev.hostguard.agent.policy.FileAccess.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.path.PathResolver;
import dev.hostguard.agent.path.ResolvedPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PathRulesTest {
    private static final PathRules RULES = PathRules.defaults();

    /** One access to one (absolute, normalised) path, and the rule it must match ({@code null}: none). */
    record Example(FileAccess access, String path, String rule) {
        @Override
        public String toString() {
            return access.label() + " " + path + " -> " + (rule == null ? "nothing" : rule);
        }
    }

    private static Example hit(String rule, FileAccess access, String path) {
        return new Example(access, path, rule);
    }

    private static Example miss(FileAccess access, String path) {
        return new Example(access, path, null);
    }

    static Stream<Example> examples() {
        return Stream.of(
                hit("runtime-socket", CONNECT, "/var/run/docker.sock"),
                hit("runtime-socket", CONNECT, "/run/docker.sock"),
                hit("runtime-socket", CONNECT, "/some/dir/docker.sock"),
                hit("runtime-socket", READ, "/run/containerd/containerd.sock"),
                hit("runtime-socket", WRITE, "/var/run/crio/crio.sock"),
                hit("runtime-socket", CONNECT, "/run/podman/podman.sock"),
                hit("runtime-socket", CONNECT, "/var/run/dockershim.sock"),
                miss(LIST, "/run/docker.sock"),
                miss(CONNECT, "/run/docker.sock.bak"),
                miss(CONNECT, "/tmp/mydocker.sock"),
                miss(CONNECT, "/run/app.sock"),

                hit("kubelet-config", READ, "/var/lib/kubelet/pki/kubelet.key"),
                hit("kubelet-config", WRITE, "/etc/kubernetes/manifests/evil.yaml"),
                hit("kubelet-config", READ, "/etc/kubernetes"),
                hit("kubelet-config", READ, "/var/lib/kubelet"),
                miss(READ, "/var/lib/kubeletx/config"),
                miss(LIST, "/etc/kubernetes"),

                hit("service-account-token", READ, "/var/run/secrets/kubernetes.io/serviceaccount/token"),
                hit("service-account-token", READ, "/run/secrets/kubernetes.io/serviceaccount/..2026_11_28_22_00_00.1/token"),
                hit("service-account-token", READ, "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"),
                miss(WRITE, "/var/run/secrets/kubernetes.io/serviceaccount/token"),
                miss(READ, "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"),
                miss(READ, "/var/run/secrets/kubernetes.io/serviceaccounttoken"),
                miss(READ, "/tmp/token"),

                hit("cgroup-release-agent", WRITE, "/sys/fs/cgroup/memory/release_agent"),
                hit("cgroup-release-agent", WRITE, "/tmp/cgrp/x/notify_on_release"),
                miss(READ, "/sys/fs/cgroup/memory/release_agent"),
                hit("proc-sys-write", WRITE, "/sys/fs/cgroup/release_agent.bak"), // issue 13: any other write below /proc, /sys

                hit("core-pattern", WRITE, "/proc/sys/kernel/core_pattern"),
                miss(READ, "/proc/sys/kernel/core_pattern"),
                hit("proc-sys-write", WRITE, "/proc/sys/kernel/core_uses_pid"), // issue 13: any other write below /proc, /sys

                hit("sysrq", WRITE, "/proc/sys/kernel/sysrq"),
                hit("sysrq", WRITE, "/proc/sysrq-trigger"),
                miss(READ, "/proc/sys/kernel/sysrq"),

                hit("kernel-memory", READ, "/proc/kcore"),
                hit("kernel-memory", READ, "/proc/self/mem"),
                hit("kernel-memory", WRITE, "/proc/123/task/456/mem"),
                hit("kernel-memory", READ, "/dev/mem"),
                hit("kernel-memory", READ, "/dev/kmem"),
                hit("kernel-memory", WRITE, "/dev/port"),
                miss(READ, "/proc/meminfo"),
                miss(READ, "/dev/memory"),
                miss(LIST, "/proc/kcore"),

                hit("proc-environ", READ, "/proc/self/environ"),
                hit("proc-environ", READ, "/proc/thread-self/environ"),
                hit("proc-environ", READ, "/proc/123/task/456/environ"),
                hit("proc-environ", READ, "/proc/self/task/7/environ"),
                hit("proc-environ", READ, "/proc/1/environ"),
                hit("proc-sys-write", WRITE, "/proc/self/environ"), // issue 13: any other write below /proc, /sys
                miss(READ, "/proc/selfish/environ"),
                miss(READ, "/proc/12a/environ"),
                miss(READ, "/tmp/proc/self/environ"),
                miss(READ, "/proc/self/task/environ"),

                hit("proc-cmdline", READ, "/proc/self/cmdline"),
                hit("proc-cmdline", READ, "/proc/42/cmdline"),
                hit("proc-cmdline", READ, "/proc/thread-self/cmdline"),
                miss(READ, "/proc/cmdline"),
                hit("proc-sys-write", WRITE, "/proc/self/cmdline"), // issue 13: any other write below /proc, /sys

                hit("proc-magic-links", READ, "/proc/self/root/etc/passwd"),
                hit("proc-magic-links", LIST, "/proc/1/root"),
                hit("proc-magic-links", WRITE, "/proc/self/cwd/x"),
                hit("proc-magic-links", READ, "/proc/thread-self/fd/3"),
                hit("proc-magic-links", READ, "/proc/123/task/456/root/etc/shadow"),
                hit("proc-magic-links", READ, "/proc/self/map_files/7f00-7f01"),
                hit("proc-magic-links", READ, "/dev/fd/3"),
                hit("proc-magic-links", LIST, "/dev/fd"),
                miss(CONNECT, "/proc/self/root/tmp/app.sock"),
                miss(READ, "/proc/self/rootfs"),
                miss(READ, "/dev/fdx"),

                hit("recon", READ, "/proc/sched_debug"),
                hit("recon", READ, "/sys/kernel/debug/sched/debug"),
                hit("recon", READ, "/proc/self/mountinfo"),
                hit("recon", READ, "/proc/1/mountinfo"),
                hit("proc-sys-write", WRITE, "/proc/sched_debug"), // issue 13: any other write below /proc, /sys
                miss(READ, "/proc/self/mounts"),
                miss(READ, "/sys/kernel/debugfs"),

                hit("proc-exe-write", WRITE, "/proc/self/exe"),
                hit("proc-exe-write", WRITE, "/proc/1/exe"),
                miss(READ, "/proc/self/exe"),

                hit("host-filesystem", READ, "/host/etc"),
                hit("host-filesystem", LIST, "/host"),
                hit("host-filesystem", WRITE, "/hostfs/x"),
                hit("host-filesystem", READ, "/rootfs/etc/passwd"),
                hit("host-filesystem", LIST, "/host-root"),
                miss(READ, "/hostile"),
                miss(READ, "/hosts"),
                miss(READ, "/etc/host"),
                miss(CONNECT, "/host/run/app.sock"),

                hit("block-device", READ, "/dev/sda"),
                hit("block-device", WRITE, "/dev/sdb1"),
                hit("block-device", READ, "/dev/vda"),
                hit("block-device", READ, "/dev/xvda1"),
                hit("block-device", READ, "/dev/nvme0n1p1"),
                hit("block-device", READ, "/dev/dm-0"),
                hit("block-device", READ, "/dev/loop0"),
                miss(READ, "/dev/null"),
                miss(READ, "/dev/shm/x"),
                miss(READ, "/dev/snd"),
                miss(READ, "/tmp/dev/sda"),
                miss(LIST, "/dev/sda"),

                hit("credentials", READ, "/etc/shadow"),
                hit("credentials", WRITE, "/etc/gshadow"),
                hit("credentials", READ, "/etc/shadow-"),
                hit("credentials", READ, "/etc/sudoers"),
                hit("credentials", WRITE, "/etc/sudoers.d/evil"),
                hit("credentials", READ, "/etc/pam.conf"),
                hit("credentials", WRITE, "/etc/pam.d/sshd"),
                miss(READ, "/etc/shadowx"),
                miss(READ, "/etc/passwd"),
                miss(READ, "/etc/pam.d2"),
                miss(LIST, "/etc/pam.d"),

                hit("ssh-keys", READ, "/home/alice/.ssh/id_rsa"),
                hit("ssh-keys", READ, "/home/bob/.ssh/config"),
                hit("ssh-keys", READ, "/root/.ssh/config"),
                hit("ssh-keys", WRITE, "/root/.ssh"),
                hit("ssh-keys", READ, "/srv/backup/id_ed25519.pub"),
                hit("ssh-keys", READ, "/tmp/my_id_rsa_backup"),
                hit("ssh-keys", WRITE, "/tmp/authorized_keys"),
                miss(READ, "/tmp/authorized_keys"),
                miss(READ, "/home/alice/.sshx/config"),
                miss(READ, "/home/.ssh/config"),
                miss(READ, "/home/alice/projects/.ssh/config"),
                miss(LIST, "/root/.ssh"),

                hit("loader-preload", WRITE, "/etc/ld.so.preload"),
                miss(READ, "/etc/ld.so.preload"),
                miss(WRITE, "/etc/ld.so.conf"),

                hit("sensitive-listing", LIST, "/"),
                hit("sensitive-listing", LIST, "/proc"),
                hit("sensitive-listing", LIST, "/proc/self"),
                hit("sensitive-listing", LIST, "/proc/123"),
                hit("sensitive-listing", LIST, "/proc/thread-self"),
                hit("sensitive-listing", LIST, "/proc/123/task/456"),
                hit("sensitive-listing", LIST, "/sys"),
                hit("sensitive-listing", LIST, "/root"),
                hit("sensitive-listing", LIST, "/home"),
                hit("sensitive-listing", LIST, "/var/log"),
                miss(LIST, "/tmp"),
                miss(LIST, "/var"),
                miss(LIST, "/proc/self/task"),
                miss(LIST, "/home/alice"),
                miss(LIST, "/var/log/app"),
                miss(READ, "/"),

                // writes under /proc and /sys (issue 13): the specific rules keep their ids, any other is proc-sys-write
                hit("proc-sys-write", WRITE, "/proc/4242/environ"),
                hit("proc-sys-write", WRITE, "/proc/self/cmdline"),
                hit("proc-sys-write", WRITE, "/proc/thread-self/mountinfo"),
                hit("proc-sys-write", WRITE, "/proc/self/task/7/comm"),
                hit("proc-sys-write", WRITE, "/proc/sys/vm/overcommit_memory"),
                hit("proc-sys-write", WRITE, "/proc/self/oom_score_adj"),
                hit("proc-sys-write", WRITE, "/sys/fs/cgroup/memory.max"),
                hit("proc-sys-write", WRITE, "/sys/kernel/uevent_helper"),
                hit("proc-sys-write", WRITE, "/sys"),
                hit("core-pattern", WRITE, "/proc/sys/kernel/core_pattern"),
                hit("proc-exe-write", WRITE, "/proc/self/exe"),
                hit("cgroup-release-agent", WRITE, "/sys/fs/cgroup/x/release_agent"),
                miss(READ, "/proc/sys/vm/overcommit_memory"),
                miss(READ, "/sys/kernel/mm/transparent_hugepage/enabled"),
                miss(WRITE, "/procfs/x"),
                miss(WRITE, "/system/x"),
                miss(WRITE, "/srv/proc/self/environ"),
                miss(WRITE, "/tmp/sys/x"),

                // what services do inside requests all day
                miss(READ, "/app/lib/jetty-server-12.jar"),
                miss(WRITE, "/tmp/upload-123.bin"),
                miss(READ, "/proc/self/stat"),
                miss(READ, "/proc/self/status"),
                miss(READ, "/proc/self/cgroup"),
                miss(READ, "/proc/meminfo"),
                miss(READ, "/proc/sys/net/core/somaxconn"),
                miss(READ, "/sys/fs/cgroup/memory.max"),
                miss(READ, "/etc/hosts"),
                miss(LIST, "/srv/app/static"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void matchesTheDefaultRuleset(Example example) {
        String path = example.path();
        Rule rule = RULES.match(example.access(), new ResolvedPath(path, path, path));
        assertEquals(example.rule(), rule == null ? null : rule.id());
        if (rule != null) {
            assertTrue(rule.appliesTo(example.access()));
        }
    }

    @Test
    void everyRuleHasPositiveAndNegativeExamples() {
        List<Example> examples = examples().collect(Collectors.toList());
        Set<String> ids = RULES.rules().stream().map(Rule::id).collect(Collectors.toCollection(TreeSet::new));
        Set<String> hit = examples.stream().map(Example::rule).filter(id -> id != null)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(ids, hit);
        assertTrue(examples.stream().filter(e -> e.rule() == null).count() >= ids.size());
    }

    @Test
    void theDefaultRulesetHasItsStableIdsInOrder() {
        assertEquals(List.of("runtime-socket", "kubelet-config", "service-account-token", "cgroup-release-agent",
                        "core-pattern", "sysrq", "kernel-memory", "proc-environ", "proc-cmdline", "proc-magic-links",
                        "recon", "proc-exe-write", "host-filesystem", "block-device", "credentials", "ssh-keys",
                        "loader-preload", "sensitive-listing", "proc-sys-write"),
                RULES.rules().stream().map(Rule::id).collect(Collectors.toList()));
        for (Rule rule : RULES.rules()) {
            assertFalse(rule.category().isBlank() || rule.description().isBlank() || rule.source().isBlank(), rule.id());
        }
        // every rule's accesses (issue 18): protected paths refuse changes too, the secrecy rules keep read alone
        Map<String, Set<FileAccess>> accesses = new java.util.LinkedHashMap<>();
        for (Rule rule : RULES.rules()) {
            accesses.put(rule.id(), rule.accesses());
        }
        Set<FileAccess> readWriteChange = EnumSet.of(READ, WRITE, CHANGE);
        Set<FileAccess> writeChange = EnumSet.of(WRITE, CHANGE);
        Set<FileAccess> anyFile = EnumSet.of(READ, WRITE, LIST, CHANGE);
        Map<String, Set<FileAccess>> expected = new java.util.LinkedHashMap<>();
        expected.put("runtime-socket", EnumSet.of(CONNECT, READ, WRITE, CHANGE));
        expected.put("kubelet-config", readWriteChange);
        expected.put("service-account-token", EnumSet.of(READ));
        expected.put("cgroup-release-agent", writeChange);
        expected.put("core-pattern", writeChange);
        expected.put("sysrq", writeChange);
        expected.put("kernel-memory", readWriteChange);
        expected.put("proc-environ", EnumSet.of(READ));
        expected.put("proc-cmdline", EnumSet.of(READ));
        expected.put("proc-magic-links", anyFile);
        expected.put("recon", EnumSet.of(READ));
        expected.put("proc-exe-write", writeChange);
        expected.put("host-filesystem", anyFile);
        expected.put("block-device", readWriteChange);
        expected.put("credentials", readWriteChange);
        expected.put("ssh-keys", readWriteChange);
        expected.put("loader-preload", writeChange);
        expected.put("sensitive-listing", EnumSet.of(LIST));
        expected.put("proc-sys-write", writeChange);
        assertEquals(expected, accesses);
        assertTrue(PathRules.defaults() == RULES, "built once");
    }

    @Test
    void changesOfProtectedPathsMatchTheirRules() {
        assertEquals("host-filesystem", id(RULES.match(CHANGE, plain("/host/usr/bin/passwd"))));
        assertEquals("runtime-socket", id(RULES.match(CHANGE, plain("/var/run/docker.sock"))));
        assertEquals("credentials", id(RULES.match(CHANGE, plain("/etc/shadow"))));
        assertEquals("ssh-keys", id(RULES.match(CHANGE, plain("/srv/app/authorized_keys"))));
        assertEquals("loader-preload", id(RULES.match(CHANGE, plain("/etc/ld.so.preload"))));
        assertEquals("proc-sys-write", id(RULES.match(CHANGE, plain("/sys/fs/cgroup/x"))));
        assertNull(RULES.match(CHANGE, plain("/var/run/secrets/kubernetes.io/serviceaccount/token")),
                "the token's rule is about its secrecy: reads (moving it out is one)");
        assertNull(RULES.match(CHANGE, plain("/home")), "sensitive-listing is about listings");
        assertNull(RULES.match(CHANGE, plain("/tmp/upload")));
    }

    @Test
    void bothFormsAreMatchedTheAbsoluteFirst() {
        assertEquals("credentials", id(RULES.match(READ, new ResolvedPath("x", "/srv/x", "/etc/shadow"))));
        assertEquals("proc-magic-links", id(RULES.match(READ,
                new ResolvedPath("/proc/self/root/etc/shadow", "/proc/self/root/etc/shadow", "/etc/shadow"))));
        assertEquals("runtime-socket", id(RULES.match(CONNECT,
                new ResolvedPath("/var/run/docker.sock", "/var/run/docker.sock", "/run/docker.sock"))));
        assertNull(RULES.match(READ, new ResolvedPath("a", "/srv/a", null)));
    }

    @Test
    void theFirstRuleAddedWinsWhenSeveralMatch() {
        assertEquals("host-filesystem", id(RULES.match(READ, plain("/host/home/alice/.ssh/id_rsa"))));
        assertEquals("runtime-socket", id(RULES.match(READ, plain("/host/run/docker.sock"))));
    }

    @Test
    void aHostMountPrefixMatchesItselfAndBelowOnly() {
        Rule data = new Rule("host-mount", "host filesystem", EnumSet.of(READ, WRITE, LIST),
                "/data is mounted from the host", "HostGuard host-mount detection");
        Rule sock = new Rule("host-mount", "host filesystem", EnumSet.of(READ, WRITE, LIST),
                "/var/run/docker-host.sock is mounted from the host", "HostGuard host-mount detection");
        Rule home = new Rule("host-mount", "host filesystem", EnumSet.of(READ, WRITE, LIST),
                "/home/alice/data is mounted from the host", "HostGuard host-mount detection");
        PathRules rules = PathRules.builder().addDefaults()
                .prefix(data, "/data/")
                .prefix(data, "/srv//./shared/../exports")
                .prefix(sock, "/var/run/docker-host.sock")
                .prefix(home, "/home/alice/data")
                .build();
        assertEquals(data, rules.match(READ, plain("/data")));
        assertEquals(data, rules.match(LIST, plain("/data/x/y")));
        assertEquals(data, rules.match(WRITE, plain("/srv/exports/z")));
        assertNull(rules.match(READ, plain("/database")));
        assertNull(rules.match(CONNECT, plain("/data/x")));
        assertEquals(sock, rules.match(WRITE, plain("/run/docker-host.sock")));
        assertEquals(home, rules.match(READ, plain("/home/alice/data/f")));
        // a literal /home/alice below does not hide /home/*/.ssh from alice
        assertEquals("ssh-keys", id(rules.match(READ, plain("/home/alice/.ssh/config"))));
        assertEquals("sensitive-listing", id(rules.match(LIST, plain("/home"))));
        assertEquals(RULES.rules().size() + 3, rules.rules().size());
        assertEquals(data, rules.rules().get(RULES.rules().size()));

        PathRules alone = PathRules.builder().prefix(data, "/data").build();
        assertEquals(List.of(data), alone.rules());
        assertNull(alone.match(READ, plain("/etc/shadow")));
        assertThrows(IllegalArgumentException.class, () -> PathRules.builder().prefix(data, "data"));
        assertThrows(IllegalArgumentException.class, () -> PathRules.builder().prefix(data, null));
    }

    @Test
    void aRuleOwnsAnUnmodifiableNonEmptySetOfAccesses() {
        Set<FileAccess> accesses = EnumSet.of(READ);
        Rule rule = new Rule("r", "c", accesses, "d", "s");
        accesses.add(WRITE);
        assertEquals(Set.of(READ), rule.accesses());
        assertThrows(UnsupportedOperationException.class, () -> rule.accesses().add(LIST));
        assertThrows(IllegalArgumentException.class, () -> new Rule("r", "c", Set.of(), "d", "s"));
        assertEquals(List.of("read", "write", "list", "connect", "execute", "change"),
                Stream.of(FileAccess.values()).map(FileAccess::label).collect(Collectors.toList()));
    }

    // ---- with the resolver: links are seen through, and never remembered ----

    @TempDir
    Path dir;

    @Test
    void aLinkToTheShadowFileMatchesCredentialsThroughItsCanonicalForm() throws IOException {
        Files.createSymbolicLink(dir.resolve("report.csv"), Path.of("/etc/shadow"));
        PathResolver resolver = new PathResolver(dir.toString());
        assertEquals("credentials", id(RULES.match(READ, resolver.resolve("report.csv"))));
        Files.delete(dir.resolve("report.csv"));
    }

    @Test
    void aLinkPlantedAfterAFirstResolveIsMatchedOnTheNext() throws IOException {
        PathResolver resolver = new PathResolver(dir.toString());
        assertNull(RULES.match(READ, resolver.resolve("download.txt")));
        Files.createSymbolicLink(dir.resolve("download.txt"), Path.of("/proc/self/environ"));
        assertEquals("proc-environ", id(RULES.match(READ, resolver.resolve("download.txt"))));
        Files.delete(dir.resolve("download.txt"));
        Files.createSymbolicLink(dir.resolve("download.txt"), Path.of("/var/run/docker.sock"));
        assertEquals("runtime-socket", id(RULES.match(CONNECT, resolver.resolve("download.txt"))));
        Files.delete(dir.resolve("download.txt"));
    }

    @Test
    void aLinkToProcSelfLeadsToTheProcessDirectoryAndItsMagicLinksStayVisible() throws IOException {
        Files.createSymbolicLink(dir.resolve("me"), Path.of("/proc/self"));
        PathResolver resolver = new PathResolver(dir.toString());
        assertEquals("proc-environ", id(RULES.match(READ, resolver.resolve("me/environ"))));
        assertEquals("proc-magic-links", id(RULES.match(READ, resolver.resolve("me/root/etc/hostname"))));
        assertEquals("proc-exe-write", id(RULES.match(WRITE, resolver.resolve("me/exe"))));
        Files.delete(dir.resolve("me"));
    }

    @Test
    void otherSpellingsOfSensitivePathsMatch() {
        PathResolver resolver = new PathResolver("/srv/app");
        assertEquals("credentials", id(RULES.match(READ, resolver.resolve("../../etc//./shadow"))));
        assertEquals("proc-environ", id(RULES.match(READ, resolver.resolve("/proc/thread-self/environ"))));
        assertEquals("proc-magic-links", id(RULES.match(READ, resolver.resolve("/proc/self/root/etc/passwd"))));
        assertEquals("runtime-socket", id(RULES.match(CONNECT, resolver.resolve("/var/run/../run/docker.sock"))));
        assertEquals("proc-exe-write", id(RULES.match(WRITE, resolver.resolve("/proc/thread-self/exe"))));
    }

    private static ResolvedPath plain(String path) {
        return new ResolvedPath(path, path, path);
    }

    private static Rule rule(String id) {
        return RULES.rules().stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    }

    private static String id(Rule rule) {
        return rule == null ? null : rule.id();
    }
}
