package dev.hostguard.agent.posture;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What about this process matters for a container escape, read once at start-up and printed as one line.
 *
 * @param uid                   the effective user id (what file access is checked against), -1 when unknown
 * @param escapeCapabilities    the effective capabilities that enable escapes ({@link EscapeCapabilities}), in the
 *                              summary's order; {@code {"unknown"}} when they could not be read
 * @param noNewPrivs            the no_new_privs flag: set-user-ID files and file capabilities no longer raise
 *                              privilege. False when the kernel does not say (before 4.10): the cautious reading
 * @param seccomp               {@code disabled}, {@code strict}, {@code filter} or {@code unknown}
 * @param runtimeSocketsPresent the container runtimes' sockets this process can see
 * @param hostMounts            the host mount points ({@link HostMounts})
 */
public record ContainerPosture(long uid, Set<String> escapeCapabilities, boolean noNewPrivs, String seccomp,
                               List<String> runtimeSocketsPresent, List<String> hostMounts) {
    private static final String UNKNOWN = EscapeCapabilities.UNKNOWN;

    public ContainerPosture {
        escapeCapabilities = Collections.unmodifiableSet(new LinkedHashSet<>(escapeCapabilities)); // keeps the order
        seccomp = seccomp == null ? UNKNOWN : seccomp;
        runtimeSocketsPresent = List.copyOf(runtimeSocketsPresent);
        hostMounts = List.copyOf(hostMounts);
    }

    /**
     * Reads {@code procSelfStatus} (Uid, CapEff, NoNewPrivs, Seccomp), checks the known runtime socket paths with one
     * stat each, and takes the host mounts. Never throws: what cannot be read becomes "unknown".
     */
    public static ContainerPosture read(Path procSelfStatus, List<String> hostMounts) {
        return read(procSelfStatus, hostMounts, RuntimeSockets.KNOWN_PATHS);
    }

    static ContainerPosture read(Path procSelfStatus, List<String> hostMounts, List<Path> runtimeSocketPaths) {
        Map<String, String> status = ProcStatus.read(procSelfStatus);
        List<String> mountPoints = new ArrayList<>();
        if (hostMounts != null) {
            for (String mountPoint : hostMounts) {
                if (mountPoint != null) {
                    mountPoints.add(mountPoint);
                }
            }
        }
        return new ContainerPosture(effectiveUid(status.get("Uid")), EscapeCapabilities.of(status.get("CapEff")),
                "1".equals(status.get("NoNewPrivs")), seccompMode(status.get("Seccomp")),
                RuntimeSockets.present(runtimeSocketPaths), mountPoints);
    }

    /**
     * One line, e.g. {@code posture: uid=0 (root) escape-capabilities=CAP_SYS_ADMIN,CAP_SYS_PTRACE no_new_privs=0
     * seccomp=disabled runtime-sockets=/var/run/docker.sock host-mounts=/data,/var/run/docker.sock}. Empty lists read
     * {@code none}; spaces, commas and control characters in paths are octal-escaped as in mountinfo, so a path can
     * neither break the line nor split an entry.
     */
    public String summary() {
        // a StringBuilder, not "+": each new shape of "+" spins method handles at first use, milliseconds at start-up
        StringBuilder line = new StringBuilder(160).append("posture: uid=");
        if (uid < 0) {
            line.append(UNKNOWN);
        } else {
            line.append(uid).append(uid == 0 ? " (root)" : "");
        }
        line.append(" escape-capabilities=");
        list(line, escapeCapabilities).append(" no_new_privs=").append(noNewPrivs ? 1 : 0)
                .append(" seccomp=").append(OctalEscapes.encode(seccomp)).append(" runtime-sockets=");
        list(line, runtimeSocketsPresent).append(" host-mounts=");
        return list(line, hostMounts).toString();
    }

    private static StringBuilder list(StringBuilder line, Iterable<String> values) {
        int start = line.length();
        for (String value : values) {
            line.append(line.length() == start ? "" : ",").append(OctalEscapes.encode(value));
        }
        return line.length() == start ? line.append("none") : line;
    }

    /** {@code Uid: real effective saved filesystem}. */
    private static long effectiveUid(String uidLine) {
        String[] ids = uidLine == null ? new String[0] : uidLine.split("\t");
        try {
            return ids.length >= 2 ? Long.parseLong(ids[1]) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** {@code Seccomp: 0|1|2} (proc(5)). */
    private static String seccompMode(String value) {
        if (value == null) {
            return UNKNOWN;
        }
        return switch (value) {
            case "0" -> "disabled";
            case "1" -> "strict";
            case "2" -> "filter";
            default -> UNKNOWN;
        };
    }
}
