package dev.hostguard.agent.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where container runtimes keep their API sockets: the conventional homes of Docker, containerd, CRI-O, Podman and
 * k3s, rootless Docker's and Podman's under {@code XDG_RUNTIME_DIR}, and the Unix socket a Docker or Podman client is
 * pointed at ({@code DOCKER_HOST}, {@code CONTAINER_HOST} as {@code unix:///path}). A socket reached under another
 * name (a hard link) is the socket found here with the same device and inode.
 */
public final class RuntimeSocketHomes {
    private static final String[] CONVENTIONAL = {"/var/run/docker.sock", "/run/docker.sock",
        "/run/containerd/containerd.sock", "/var/run/containerd/containerd.sock", "/run/crio/crio.sock",
        "/var/run/crio/crio.sock", "/run/podman/podman.sock", "/var/run/dockershim.sock",
        "/run/k3s/containerd/containerd.sock"};

    private RuntimeSocketHomes() {
    }

    /** The absolute paths to look at, those the environment names first. */
    public static List<String> of(Map<String, String> environment) {
        List<String> homes = new ArrayList<>();
        for (String variable : new String[] {"DOCKER_HOST", "CONTAINER_HOST"}) {
            String host = environment.get(variable);
            if (host != null && host.startsWith("unix://") && host.length() > "unix://".length()) {
                homes.add(host.substring("unix://".length()));
            }
        }
        String runtimeDir = environment.get("XDG_RUNTIME_DIR");
        if (runtimeDir != null && runtimeDir.startsWith("/")) {
            homes.add(runtimeDir + "/docker.sock");
            homes.add(runtimeDir + "/podman/podman.sock");
        }
        for (String home : CONVENTIONAL) {
            homes.add(home);
        }
        return List.copyOf(homes);
    }
}
