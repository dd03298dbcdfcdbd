package dev.hostguard.agent.posture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerPostureTest {
    private static final List<String> ALL_ESCAPE_CAPABILITIES = List.of("CAP_SYS_ADMIN", "CAP_SYS_PTRACE",
            "CAP_DAC_READ_SEARCH", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_BOOT", "CAP_BPF", "CAP_NET_ADMIN",
            "CAP_SYSLOG");

    @Test
    void aPrivilegedContainerHasEveryEscapeCapability() {
        ContainerPosture posture = read("privileged.status");
        assertEquals(0, posture.uid());
        assertEquals(ALL_ESCAPE_CAPABILITIES, List.copyOf(posture.escapeCapabilities()), "in the summary's order");
        assertFalse(posture.noNewPrivs());
        assertEquals("disabled", posture.seccomp());
    }

    @Test
    void dockersDefaultCapabilitiesEnableNoEscape() {
        ContainerPosture posture = read("docker-default.status");
        assertEquals(0, posture.uid());
        assertEquals(Set.of(), posture.escapeCapabilities());
        assertEquals("filter", posture.seccomp());
    }

    @Test
    void eachEscapeCapabilityIsItsBit() {
        assertEquals(Set.of("CAP_SYS_ADMIN"), EscapeCapabilities.of("0000000000200000"));
        assertEquals(Set.of("CAP_SYS_PTRACE", "CAP_DAC_READ_SEARCH"), EscapeCapabilities.of("0000000000080004"));
        assertEquals(Set.of("CAP_BPF", "CAP_SYSLOG"), EscapeCapabilities.of("0000008400000000"));
        assertEquals(Set.of("CAP_NET_ADMIN", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_BOOT"),
                EscapeCapabilities.of("0000000000431000"));
        assertEquals(Set.copyOf(ALL_ESCAPE_CAPABILITIES), EscapeCapabilities.of("ffffffffffffffff"));
    }

    @Test
    void theEffectiveUidCounts() {
        ContainerPosture posture = read("hardened.status");
        assertEquals(1001, posture.uid(), "Uid: real effective saved fs");
        assertTrue(posture.noNewPrivs());
        assertEquals(Set.of(), posture.escapeCapabilities());
    }

    @Test
    void whatCannotBeReadIsUnknownNeverAnError(@TempDir Path dir) {
        for (Path status : List.of(Fixtures.path("garbled.status"), dir.resolve("missing"), dir)) {
            ContainerPosture posture = ContainerPosture.read(status, null, List.of());
            assertEquals(-1, posture.uid());
            assertEquals(Set.of("unknown"), posture.escapeCapabilities());
            assertEquals("unknown", posture.seccomp());
            assertFalse(posture.noNewPrivs());
            assertEquals("posture: uid=unknown escape-capabilities=unknown no_new_privs=0 seccomp=unknown"
                    + " runtime-sockets=none host-mounts=none", posture.summary());
        }
    }

    @Test
    void summaryIsOneLine() {
        ContainerPosture posture = new ContainerPosture(0, new LinkedHashSet<>(List.of("CAP_SYS_ADMIN",
                "CAP_SYS_PTRACE")), false, "disabled", List.of("/var/run/docker.sock"),
                List.of("/data", "/var/run/docker.sock"));
        assertEquals("posture: uid=0 (root) escape-capabilities=CAP_SYS_ADMIN,CAP_SYS_PTRACE no_new_privs=0"
                + " seccomp=disabled runtime-sockets=/var/run/docker.sock host-mounts=/data,/var/run/docker.sock",
                posture.summary());
    }

    @Test
    void summaryOfAHardenedContainerWithTheDockerFixturesMounts() {
        ContainerPosture posture = ContainerPosture.read(Fixtures.path("hardened.status"),
                HostMounts.of(Fixtures.mounts("docker.mountinfo")), List.of());
        assertEquals("posture: uid=1001 escape-capabilities=none no_new_privs=1 seccomp=filter runtime-sockets=none"
                + " host-mounts=/data,/opt/my\\040reports,/var/run/docker.sock", posture.summary());
    }

    @Test
    void aPathCanNeitherBreakTheLineNorSplitAnEntry() {
        ContainerPosture posture = new ContainerPosture(1000, Set.of(), true, "filter", List.of(),
                List.of("/a,b", "/new\nline", "/back\\slash"));
        assertEquals("posture: uid=1000 escape-capabilities=none no_new_privs=1 seccomp=filter runtime-sockets=none"
                + " host-mounts=/a\\054b,/new\\012line,/back\\134slash", posture.summary());
    }

    @Test
    void runtimeSocketsAreSocketsListedOncePerFile(@TempDir Path dir) throws Exception {
        Path run = Files.createDirectory(dir.resolve("run"));
        Path varRun = Files.createSymbolicLink(dir.resolve("var-run"), run); // /var/run -> /run
        Files.createDirectory(run.resolve("podman.sock")); // what -v leaves when the host has no such socket
        Files.createFile(run.resolve("crio.sock")); // a plain file is no socket either
        try (ServerSocketChannel docker = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            docker.bind(UnixDomainSocketAddress.of(run.resolve("docker.sock")));
            List<Path> candidates = List.of(varRun.resolve("docker.sock"), run.resolve("docker.sock"),
                    run.resolve("podman.sock"), run.resolve("crio.sock"), dir.resolve("missing.sock"));
            ContainerPosture posture = ContainerPosture.read(Fixtures.path("privileged.status"), List.of(), candidates);
            assertEquals(List.of(varRun.resolve("docker.sock").toString()), posture.runtimeSocketsPresent());
        }
    }

    @Test
    void readsTheLiveStatusOfThisProcess() {
        Path self = Path.of("/proc/self/status");
        Assumptions.assumeTrue(Files.isReadable(self), "no /proc/self/status here");
        ContainerPosture posture = ContainerPosture.read(self, List.of());
        assertTrue(posture.uid() >= 0, posture::summary);
        assertNotEquals(Set.of("unknown"), posture.escapeCapabilities(), posture::summary);
        assertNotEquals("unknown", posture.seccomp(), posture::summary);
        assertTrue(posture.summary().startsWith("posture: uid="), posture::summary);
    }

    private static ContainerPosture read(String status) {
        return ContainerPosture.read(Fixtures.path(status), List.of(), List.of());
    }
}
