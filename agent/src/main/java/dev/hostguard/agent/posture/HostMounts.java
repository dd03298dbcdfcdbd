package dev.hostguard.agent.posture;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds, in a mount table, the mount points that bring a part of the host into this container (the targets of the
 * {@code host-mount} rule). From what mountinfo tells alone, with no file access, so it is the same on a fixture
 * and on the live table:
 * <ul>
 * <li>a bind mount (root other than {@code /}) of a real filesystem: ext4, xfs, btrfs, zfs, NFS, a host path on an
 *     overlay root, Docker Desktop's shares... ({@code -v /srv/data:/data});</li>
 * <li>inside a container, also a whole real filesystem mounted anywhere but {@code /}: the runtime itself mounts no
 *     block device into a container, so it came from the host's mount table ({@code -v /:/host}, a host partition,
 *     a Kubernetes persistent volume);</li>
 * <li>a bound file whose name says socket, even from the host's tmpfs {@code /run}
 *     ({@code -v /var/run/docker.sock:/var/run/docker.sock}, D-Bus's {@code system_bus_socket});</li>
 * <li>inside a container, the host's kernel views: a {@code proc} mount outside {@code /proc}, {@code sysfs} outside
 *     {@code /sys}, any {@code devtmpfs} ({@code -v /proc:/host/proc}, {@code -v /dev:/dev}).</li>
 * </ul>
 * Never: the root {@code /} itself, the runtimes' housekeeping mounts ({@link RuntimeMounts}), other pseudo
 * filesystems (the container's own /proc and its masked paths, tmpfs, cgroup...), a whole overlay (an image).
 */
public final class HostMounts {
    /** Kernel and memory filesystems: what they hold is not the host's storage. */
    private static final Set<String> PSEUDO_FILESYSTEMS = Set.of(
            "proc", "sysfs", "tmpfs", "ramfs", "devtmpfs", "devpts", "mqueue", "cgroup", "cgroup2", "securityfs",
            "debugfs", "tracefs", "configfs", "fusectl", "bpf", "hugetlbfs", "pstore", "binfmt_misc", "autofs",
            "nsfs", "efivarfs", "rpc_pipefs", "selinuxfs",
            "fuse.lxcfs"); // LXC's per-container /proc/cpuinfo, /proc/meminfo... views

    private HostMounts() {
    }

    /** The host mount points of a mount table, sorted and distinct. */
    public static List<String> of(List<Mount> mounts) {
        boolean container = RuntimeMounts.insideContainer(mounts);
        TreeSet<String> found = new TreeSet<>();
        for (Mount mount : mounts) {
            if (isHostMount(mount, container)) {
                found.add(mount.mountPoint());
            }
        }
        return List.copyOf(found);
    }

    static boolean isPseudoFilesystem(String fsType) {
        return PSEUDO_FILESYSTEMS.contains(fsType);
    }

    private static boolean isHostMount(Mount mount, boolean container) {
        if ("/".equals(mount.mountPoint()) || RuntimeMounts.isHousekeeping(mount)) {
            return false;
        }
        boolean bind = !"/".equals(mount.root());
        String fsType = mount.fsType();
        if (isPseudoFilesystem(fsType)) {
            return bind && namesSocket(mount.mountPoint()) || container && showsHostKernel(mount);
        }
        if (RuntimeMounts.isImageFilesystem(fsType)) {
            return bind;
        }
        return bind || container;
    }

    /** mountinfo cannot tell a socket from a file; its name can, without a stat of every mount at start-up. */
    private static boolean namesSocket(String mountPoint) {
        String name = mountPoint.substring(mountPoint.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        return name.endsWith(".sock") || name.contains("socket");
    }

    /** A container gets its own /proc and /sys and a tmpfs /dev; these are the host's, seen from inside. */
    private static boolean showsHostKernel(Mount mount) {
        return switch (mount.fsType()) {
            case "proc" -> !RuntimeMounts.isAtOrUnder(mount.mountPoint(), "/proc");
            case "sysfs" -> !RuntimeMounts.isAtOrUnder(mount.mountPoint(), "/sys");
            case "devtmpfs" -> true;
            default -> false;
        };
    }
}
