package dev.hostguard.agent.posture;

import java.util.List;
import java.util.Set;

/**
 * What container runtimes mount into every container for their own housekeeping, and what tells a container.
 * Loops, not streams and lambdas: this runs on the start-up path, where each first lambda costs a bootstrap.
 */
final class RuntimeMounts {
    /** Files the runtime binds in from its own state directory: the container's identity, not host data. */
    private static final Set<String> NAME_SERVICE_FILES = Set.of("/etc/hosts", "/etc/hostname", "/etc/resolv.conf");
    private static final Set<String> HOUSEKEEPING = Set.of(
            "/etc/hosts", "/etc/hostname", "/etc/resolv.conf", // Docker, containerd, CRI-O, Podman
            "/dev/termination-log", // Kubernetes: where the container writes its last words
            "/dev/shm", // a tmpfs, or the pod sandbox's shared one
            "/run/.containerenv", // Podman
            "/sbin/docker-init", "/run/podman-init"); // the init binary of `run --init`
    /** Docker/Podman secrets and the service-account token (which has a rule of its own). */
    private static final List<String> SECRET_DIRS = List.of("/run/secrets", "/var/run/secrets");
    /**
     * Kubernetes volumes the kubelet makes for one pod (emptyDir scratch, configMap/secret/downwardAPI/projected
     * files, also through subPath) live under {@code <kubelet root>/pods/<uid>/volumes/kubernetes.io~<kind>/}: they
     * are the pod's own, not a part of the host. Matched anywhere because the kubelet's root directory varies
     * ({@code /var/lib/kubelet}, k0s, microk8s...). A hostPath volume keeps its host path and so still counts.
     */
    private static final List<String> POD_VOLUME_KINDS =
            List.of("empty-dir", "configmap", "secret", "downward-api", "projected");
    private static final Set<String> IMAGE_FILESYSTEMS = Set.of("overlay", "aufs", "fuse-overlayfs");

    private RuntimeMounts() {
    }

    static boolean isHousekeeping(Mount mount) {
        String mountPoint = mount.mountPoint();
        if (HOUSEKEEPING.contains(mountPoint)) {
            return true;
        }
        for (String secrets : SECRET_DIRS) {
            if (isAtOrUnder(mountPoint, secrets)) {
                return true;
            }
        }
        return isPodVolume(mount.root());
    }

    /** Layered image filesystems: mounted whole, they are a container's root (or a nested one's), not host data. */
    static boolean isImageFilesystem(String fsType) {
        return IMAGE_FILESYSTEMS.contains(fsType);
    }

    /**
     * True when the mount table is a container's: its root is an image filesystem (overlay...) or a directory of
     * another filesystem (vfs/btrfs drivers, LXC, nspawn), or the runtime bound its own /etc/hosts, /etc/hostname or
     * /etc/resolv.conf in. False on a host or VM, whose root is a whole filesystem of its own.
     */
    static boolean insideContainer(List<Mount> mounts) {
        Mount root = null;
        for (Mount mount : mounts) {
            if ("/".equals(mount.mountPoint())) {
                root = mount; // the last one: a mount stacked on "/" comes after the one it covers
            }
        }
        if (root != null && (isImageFilesystem(root.fsType()) || !"/".equals(root.root()))) {
            return true;
        }
        for (Mount mount : mounts) {
            if (NAME_SERVICE_FILES.contains(mount.mountPoint()) && !"/".equals(mount.root())) {
                return true;
            }
        }
        return false;
    }

    static boolean isAtOrUnder(String path, String directory) {
        return path.startsWith(directory)
                && (path.length() == directory.length() || path.charAt(directory.length()) == '/');
    }

    /** Whether {@code root} holds {@code /pods/<uid>/volumes/kubernetes.io~<kind>/} (no regex: start-up path). */
    static boolean isPodVolume(String root) {
        for (int at = root.indexOf("/pods/"); at >= 0; at = root.indexOf("/pods/", at + 1)) {
            int uidEnd = root.indexOf('/', at + 6);
            String volumes = "/volumes/kubernetes.io~";
            if (uidEnd > at + 6 && root.startsWith(volumes, uidEnd)) {
                int kind = uidEnd + volumes.length();
                for (String k : POD_VOLUME_KINDS) {
                    if (root.startsWith(k, kind) && root.startsWith("/", kind + k.length())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
