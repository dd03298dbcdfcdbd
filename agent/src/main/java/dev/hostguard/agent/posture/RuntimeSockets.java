package dev.hostguard.agent.posture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The container runtimes' API sockets: whoever can connect to one can start a privileged container on the host. */
final class RuntimeSockets {
    static final List<Path> KNOWN_PATHS = List.of(
            Path.of("/var/run/docker.sock"), Path.of("/run/docker.sock"),
            Path.of("/run/containerd/containerd.sock"), Path.of("/var/run/crio/crio.sock"),
            Path.of("/run/podman/podman.sock"), Path.of("/var/run/dockershim.sock"));

    private RuntimeSockets() {
    }

    /**
     * The candidates that exist as sockets. One stat each (no open, no connect). Not a directory: a
     * {@code -v /var/run/docker.sock:...} of a host without the socket leaves an empty directory of that name.
     * Listed once per file: {@code /var/run} is usually a link to {@code /run}, and the first name given wins.
     */
    static List<String> present(List<Path> candidates) {
        List<String> present = new ArrayList<>();
        Set<Object> seen = new HashSet<>();
        for (Path candidate : candidates) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(candidate, BasicFileAttributes.class);
                Object fileKey = attributes.fileKey();
                if (attributes.isOther() && (fileKey == null || seen.add(fileKey))) {
                    present.add(candidate.toString());
                }
            } catch (IOException | RuntimeException e) {
                // absent or unreadable: not present
            }
        }
        return List.copyOf(present);
    }
}
