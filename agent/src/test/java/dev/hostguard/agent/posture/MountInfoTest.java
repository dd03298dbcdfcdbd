package dev.hostguard.agent.posture;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountInfoTest {
    @Test
    void readsEveryLineOfADockerContainersTable() {
        List<Mount> mounts = Fixtures.mounts("docker.mountinfo");
        assertEquals(26, mounts.size());

        Mount root = only(mounts, m -> m.mountPoint().equals("/"));
        assertEquals(1042, root.id());
        assertEquals(918, root.parentId());
        assertEquals("/", root.root());
        assertEquals(List.of("rw", "relatime"), root.options(), "the optional field master:412 is not an option");
        assertEquals("overlay", root.fsType());
        assertEquals("overlay", root.source());
        assertEquals("rw", root.superOptions().get(0));
        assertTrue(root.superOptions().get(1).startsWith("lowerdir=/var/lib/docker/overlay2/l/"));
        assertEquals("nouserxattr", root.superOptions().get(root.superOptions().size() - 1));

        assertEquals(new Mount(1053, 1042, "/srv/data", "/data", List.of("rw", "relatime"), "ext4", "/dev/vda1",
                List.of("rw", "discard", "errors=remount-ro")), only(mounts, m -> m.mountPoint().equals("/data")));

        Mount socket = only(mounts, m -> m.mountPoint().equals("/var/run/docker.sock"));
        assertEquals("/docker.sock", socket.root());
        assertEquals("tmpfs", socket.fsType());
    }

    @Test
    void decodesOctalEscapes() {
        Mount reports = only(Fixtures.mounts("docker.mountinfo"), m -> m.mountPoint().startsWith("/opt/"));
        assertEquals("/opt/my reports", reports.mountPoint());
        assertEquals("/srv/my reports", reports.root());

        assertEquals("a b\tc\nd\\e", OctalEscapes.decode("a\\040b\\011c\\012d\\134e"));
        assertEquals("/caf\u00e9", OctalEscapes.decode("/caf\\303\\251"), "escaped bytes of one UTF-8 character");
        assertEquals("/a\\9b/\\400/end\\04", OctalEscapes.decode("/a\\9b/\\400/end\\04"), "not escapes: kept");
    }

    @Test
    void readsAKubernetesPodsTableWithItsOptionalFields() {
        List<Mount> mounts = Fixtures.mounts("kubernetes.mountinfo");
        assertEquals(24, mounts.size());
        Mount cpu = only(mounts, m -> m.mountPoint().equals("/sys/fs/cgroup/cpu,cpuacct"));
        assertEquals("cgroup", cpu.fsType());
        assertEquals(List.of("ro", "nosuid", "nodev", "noexec", "relatime"), cpu.options());
        assertEquals(List.of("rw", "cpu", "cpuacct"), cpu.superOptions());
        Mount token = only(mounts, m -> m.mountPoint().startsWith("/var/run/secrets/"));
        assertEquals("/var/run/secrets/kubernetes.io/serviceaccount", token.mountPoint());
        assertEquals("tmpfs", token.fsType());
    }

    @Test
    void skipsMalformedLinesAndKeepsTheRest() {
        List<Mount> mounts = Fixtures.mounts("malformed.mountinfo");
        assertEquals(List.of(27, 45, 46, 47), mounts.stream().map(Mount::id).toList());

        Mount emptySource = mounts.get(1);
        assertEquals("/empty source", emptySource.mountPoint());
        assertEquals("tmpfs", emptySource.fsType());
        assertEquals("", emptySource.source(), "two spaces in a row are an empty field, not one separator");
        assertEquals(List.of("rw", "size=1024k"), emptySource.superOptions());
        assertEquals(List.of("rw", "relatime"), emptySource.options(), "three optional fields skipped");

        Mount escaped = mounts.get(2);
        assertEquals("/srv/a\\b", escaped.root());
        assertEquals("/tab\tand\nnewline", escaped.mountPoint());
    }

    @Test
    void aNullOrCarriageReturnEndedLineDoesNotStopParsing() {
        List<Mount> mounts = MountInfo.parse(Arrays.asList(null, "1 0 8:1 / / rw - ext4 /dev/sda1 rw\r", ""));
        assertEquals(1, mounts.size());
        assertEquals(List.of("rw"), mounts.get(0).superOptions());
    }

    @Test
    void anUnreadableFileIsAnEmptyTable(@TempDir Path dir) throws Exception {
        assertEquals(List.of(), MountInfo.read(dir.resolve("missing")));
        assertEquals(List.of(), MountInfo.read(dir), "a directory");
        Path binary = Files.write(dir.resolve("binary"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 10, 13});
        assertEquals(List.of(), MountInfo.read(binary));
    }

    @Test
    void aNameThatIsNotUtf8DoesNotCostTheOtherMounts(@TempDir Path dir) throws Exception {
        byte[] latin1Name = "2 1 8:1 /srv/caf\u00e9 /caf\u00e9 rw - ext4 /dev/sda1 rw\n".getBytes(ISO_8859_1);
        byte[] rest = "3 1 8:1 /srv/data /data rw - ext4 /dev/sda1 rw\n".getBytes(UTF_8);
        Path file = dir.resolve("mountinfo");
        Files.write(file, latin1Name);
        Files.write(file, rest, StandardOpenOption.APPEND);
        List<Mount> mounts = MountInfo.read(file);
        assertEquals(List.of(2, 3), mounts.stream().map(Mount::id).toList());
    }

    @Test
    void readsTheLiveTableOfThisProcess() {
        Path self = Path.of("/proc/self/mountinfo");
        Assumptions.assumeTrue(Files.isReadable(self), "no /proc/self/mountinfo here");
        List<Mount> mounts = MountInfo.read(self);
        assertTrue(mounts.stream().anyMatch(m -> m.mountPoint().equals("/")), "the root mount: " + mounts);
    }

    private static Mount only(List<Mount> mounts, Predicate<Mount> which) {
        List<Mount> found = mounts.stream().filter(which).toList();
        assertEquals(1, found.size(), () -> "expected one mount, found " + found);
        return found.get(0);
    }
}
