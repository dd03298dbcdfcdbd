package dev.hostguard.agent.posture;

import java.nio.file.Path;
import java.util.List;

/**
 * Run by {@link HostMountsInMountNamespaceTest} in a forked JVM inside a new mount namespace: the live
 * {@code /proc/self/mountinfo} and {@code /proc/self/status}, read the way the agent reads them at start-up.
 */
public final class PrintHostMounts {
    private PrintHostMounts() {
    }

    public static void main(String[] args) {
        List<Mount> mounts = MountInfo.read(Path.of("/proc/self/mountinfo"));
        List<String> hostMounts = HostMounts.of(mounts);
        System.out.println("mounts=" + mounts.size());
        for (String mountPoint : hostMounts) {
            System.out.println("host-mount=" + OctalEscapes.encode(mountPoint));
        }
        System.out.println(ContainerPosture.read(Path.of("/proc/self/status"), hostMounts).summary());
    }
}
