package dev.hostguard.agent.posture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class HostMountsTest {
    @Test
    void dockerContainer() {
        // /etc/hosts, /etc/hostname, /etc/resolv.conf and --init's /sbin/docker-init are Docker's own; the masked
        // /proc paths are proc or tmpfs; the socket comes from the host's tmpfs /run and counts all the same
        assertEquals(List.of("/data", "/opt/my reports", "/var/run/docker.sock"),
                HostMounts.of(Fixtures.mounts("docker.mountinfo")));
    }

    @Test
    void kubernetesPod() {
        // not: /etc/hosts, /dev/termination-log, the service-account token, the emptyDir /cache, the configMap and
        // secret files mounted by subPath, the cgroup views; yes: a hostPath, a persistent volume, the runtime socket
        assertEquals(List.of("/host/var/log", "/run/containerd/containerd.sock", "/var/lib/app-data"),
                HostMounts.of(Fixtures.mounts("kubernetes.mountinfo")));
    }

    @Test
    void wholeHostFilesystemsAndKernelViewsInAContainer() {
        // -v /:/host, -v /boot:/host/boot, -v /proc:/host/proc, -v /sys:/host/sys, -v /dev:/dev/host, the D-Bus
        // socket; not a --tmpfs /scratch, not a nested container's overlay root (Docker in Docker)
        assertEquals(List.of("/dev/host", "/host", "/host/boot", "/host/proc", "/host/sys",
                        "/var/run/dbus/system_bus_socket"),
                HostMounts.of(Fixtures.mounts("docker-host-root.mountinfo")));
    }

    @Test
    void onAHostOnlyBindMountsCount() {
        // /boot, /boot/efi, /home and a snap are the host's own partitions, not something brought in
        assertEquals(List.of("/srv/nfs/projects"), HostMounts.of(Fixtures.mounts("host.mountinfo")));
    }

    @Test
    void malformedLinesCostNothingButThemselves() {
        assertEquals(List.of("/data", "/tab\tand\nnewline"), HostMounts.of(Fixtures.mounts("malformed.mountinfo")));
    }

    @Test
    void sortedAndDistinct() {
        List<Mount> mounts = MountInfo.parse(List.of(
                "1 0 8:1 / / rw - overlay overlay rw",
                "2 1 8:1 /srv/b /b rw - ext4 /dev/sda1 rw",
                "3 1 8:1 /srv/a /a rw - ext4 /dev/sda1 rw",
                "4 1 8:1 /srv/other /b rw - xfs /dev/sdb1 rw")); // a second mount stacked on /b
        assertEquals(List.of("/a", "/b"), HostMounts.of(mounts));
        assertEquals(List.of(), HostMounts.of(List.of()));
    }

    @Test
    void aTmpfsFileCountsOnlyWhenItsNameSaysSocket() {
        List<Mount> mounts = MountInfo.parse(List.of(
                "1 0 0:50 / / rw - overlay overlay rw",
                "2 1 0:24 /podman/podman.sock /run/podman/podman.sock rw - tmpfs tmpfs rw",
                "3 1 0:24 /systemd/journal/socket /run/systemd/journal/socket rw - tmpfs tmpfs rw",
                "4 1 0:24 /app/settings.json /etc/app/settings.json rw - tmpfs tmpfs rw",
                "5 1 0:24 / /run/app.sock rw - tmpfs tmpfs rw")); // a whole tmpfs: a directory of that name
        assertEquals(List.of("/run/podman/podman.sock", "/run/systemd/journal/socket"), HostMounts.of(mounts));
    }

    @Test
    void aVmWithOnlyItsOwnPseudoMountsHasNone() {
        List<Mount> mounts = MountInfo.parse(List.of(
                "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard",
                "22 27 0:21 / /proc rw,relatime - proc proc rw",
                "24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334460k,mode=755",
                "28 27 0:25 / /mnt/tools ro,nosuid,nodev,relatime - tmpfs tools ro,size=4k,mode=755",
                "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw"));
        assertEquals(List.of(), HostMounts.of(mounts), "a VM's own devtmpfs /dev is not a host mount");
    }
}
