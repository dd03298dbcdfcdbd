package dev.hostguard.agent.policy;

import static dev.hostguard.agent.policy.FileAccess.CHANGE;
import static dev.hostguard.agent.policy.FileAccess.CONNECT;
import static dev.hostguard.agent.policy.FileAccess.LIST;
import static dev.hostguard.agent.policy.FileAccess.READ;
import static dev.hostguard.agent.policy.FileAccess.WRITE;

import java.util.EnumSet;
import java.util.Set;

/**
 * The default container-escape ruleset, merged from the public detection rules of Falco
 * ({@code falcosecurity/rules}), Aqua Tracee ({@code signatures/golang}) and OpenRASP; see
 * {@code shared/design/container-escape-ruleset.md}. Ids are stable: policies, events and tests name them.
 * Order matters only for which id a path that several rules match reports: the first added.
 *
 * <p>{@code change} (mode, owner, times, extended attributes of an existing path) is refused wherever the path is
 * protected against writes or is the host's: a set-uid bit, a chmod 0666 of a runtime socket or an owner change is
 * as much an escape as a write. The secrecy rules ({@code service-account-token}, {@code proc-environ},
 * {@code proc-cmdline}, {@code recon}) keep {@code read} alone: what they protect is the content, and moving such a
 * file out is judged as a read of it; {@code sensitive-listing} is about listings only.
 */
final class DefaultRules {
    private static final Set<FileAccess> READ_WRITE = EnumSet.of(READ, WRITE);
    private static final Set<FileAccess> ANY_FILE = EnumSet.of(READ, WRITE, LIST, CHANGE);
    private static final Set<FileAccess> READ_WRITE_CHANGE = EnumSet.of(READ, WRITE, CHANGE);
    private static final Set<FileAccess> WRITE_CHANGE = EnumSet.of(WRITE, CHANGE);

    static final Rule RUNTIME_SOCKET = new Rule("runtime-socket", "container runtime sockets",
            EnumSet.of(CONNECT, READ, WRITE, CHANGE),
            "the container runtime's API socket: whoever speaks to it starts containers on the host",
            "Tracee TRC-1019 (Docker socket abuse); Falco sandbox sensitive_mount");
    static final Rule KUBELET_CONFIG = new Rule("kubelet-config", "Kubernetes node config", READ_WRITE_CHANGE,
            "the kubelet's state and the node's Kubernetes configuration, keys and static pod manifests",
            "Falco sandbox; Tracee TRC-35 (K8s TLS certificate theft)");
    static final Rule SERVICE_ACCOUNT_TOKEN = new Rule("service-account-token", "Kubernetes credentials",
            EnumSet.of(READ),
            "the pod's service-account token, a credential for the Kubernetes API",
            "Tracee TRC-108 (K8s service account token file read)");
    static final Rule CGROUP_RELEASE_AGENT = new Rule("cgroup-release-agent", "cgroup v1 escape", WRITE_CHANGE,
            "cgroup v1 release_agent and notify_on_release: the kernel runs the release agent on the host",
            "Falco stable; Tracee TRC-1010 (release_agent), TRC-106 (notify_on_release)");
    static final Rule CORE_PATTERN = new Rule("core-pattern", "core-dump escape", WRITE_CHANGE,
            "core_pattern: a piped core handler runs on the host",
            "Tracee TRC-1011 (core_pattern modification)");
    static final Rule SYSRQ = new Rule("sysrq", "sysrq", WRITE_CHANGE,
            "the magic SysRq key: reboots, crashes or dumps the host kernel's state",
            "Tracee TRC-97 (system request key configuration modification)");
    static final Rule KERNEL_MEMORY = new Rule("kernel-memory", "kernel / process memory", READ_WRITE_CHANGE,
            "kernel and physical memory, and another process's memory",
            "Tracee TRC-1021 (kcore read), TRC-1023 (process memory access); Falco sandbox");
    static final Rule PROC_ENVIRON = new Rule("proc-environ", "secrets in process environment", EnumSet.of(READ),
            "a process's environment, where containers keep their secrets",
            "Falco incubating (read environ)");
    static final Rule PROC_CMDLINE = new Rule("proc-cmdline", "secrets in command lines", EnumSet.of(READ),
            "a process's command line, where passwords and keys are passed as arguments",
            "HostGuard seed scenario (an admin route that prints its command line)");
    static final Rule PROC_MAGIC_LINKS = new Rule("proc-magic-links", "other roots and descriptors", ANY_FILE,
            "another process's root, working directory, descriptors and mapped files: canonicalisation cannot "
                    + "see through these links, so they are sensitive in themselves",
            "HostGuard (toRealPath cannot follow /proc/<pid>/root into another mount namespace)");
    static final Rule RECON = new Rule("recon", "reconnaissance", EnumSet.of(READ),
            "scheduler and kernel debug data, and mount tables that reveal host mounts",
            "Tracee TRC-1029 (sched_debug recon)");
    static final Rule PROC_EXE_WRITE = new Rule("proc-exe-write", "entrypoint overwrite (runc CVE-2019-5736)",
            WRITE_CHANGE,
            "a process's executable through /proc/<pid>/exe, how CVE-2019-5736 overwrote the host's runc",
            "Falco sandbox (runc CVE-2019-5736)");
    static final Rule HOST_FILESYSTEM = new Rule("host-filesystem", "host filesystem", ANY_FILE,
            "where the host's filesystem is conventionally mounted into a container",
            "Falco sandbox");
    static final Rule BLOCK_DEVICE = new Rule("block-device", "block devices", READ_WRITE_CHANGE,
            "raw disks and partitions: the host's filesystems, read or written around every permission",
            "Falco sandbox; Tracee (disk mount)");
    static final Rule CREDENTIALS = new Rule("credentials", "credentials", READ_WRITE_CHANGE,
            "password hashes, sudo and PAM configuration",
            "Falco stable (Read sensitive file untrusted: sensitive_file_names, sensitive_directory_names)");
    static final Rule SSH_KEYS = new Rule("ssh-keys", "SSH", READ_WRITE_CHANGE,
            "SSH private keys, and authorized_keys, which lets whoever writes it log in",
            "Falco stable, incubating (read ssh information, write authorized_keys)");
    static final Rule LOADER_PRELOAD = new Rule("loader-preload", "loader hijack", WRITE_CHANGE,
            "/etc/ld.so.preload: a library loaded into every dynamically linked program",
            "Tracee TRC-107 (LD_PRELOAD code injection)");
    static final Rule SENSITIVE_LISTING = new Rule("sensitive-listing", "reconnaissance by listing", EnumSet.of(LIST),
            "listing the root, processes, kernel objects, home directories and logs: mapping the host",
            "OpenRASP directory_unwanted");

    static final Rule PROC_SYS_WRITE = new Rule("proc-sys-write", "kernel and process interfaces", WRITE_CHANGE,
            "any write under /proc or /sys: kernel parameters, another process's (or this one's) state, devices and"
                    + " cgroups; the specific rules above keep their ids (core_pattern, sysrq, release_agent, exe)",
            "HostGuard issue 13 (writes under /proc and /sys, /proc/self/environ, cmdline, mountinfo opened for"
                    + " writing); generalises Tracee TRC-1010 (release_agent), TRC-1011 (core_pattern), TRC-97 (sysrq)");

    private DefaultRules() {
    }

    static void addTo(PathRules.Builder rules) {
        for (String socket : new String[] {"docker.sock", "containerd.sock", "crio.sock", "podman.sock", "dockershim.sock"}) {
            // known homes (/var/run/docker.sock = /run/docker.sock, /run/containerd/containerd.sock,
            // /var/run/crio/crio.sock) are all covered by the name
            rules.name(RUNTIME_SOCKET, RUNTIME_SOCKET.accesses(), socket);
        }

        rules.path(KUBELET_CONFIG, "/var/lib/kubelet/**")
                .path(KUBELET_CONFIG, "/etc/kubernetes/**");

        rules.tokenBelow(SERVICE_ACCOUNT_TOKEN, "secrets/kubernetes.io/serviceaccount")
                .tokenBelow(SERVICE_ACCOUNT_TOKEN, "eks.amazonaws.com/serviceaccount");

        rules.name(CGROUP_RELEASE_AGENT, CGROUP_RELEASE_AGENT.accesses(), "release_agent")
                .name(CGROUP_RELEASE_AGENT, CGROUP_RELEASE_AGENT.accesses(), "notify_on_release");

        rules.path(CORE_PATTERN, "/proc/sys/kernel/core_pattern");

        rules.path(SYSRQ, "/proc/sys/kernel/sysrq")
                .path(SYSRQ, "/proc/sysrq-trigger");

        rules.path(KERNEL_MEMORY, "/proc/kcore")
                .path(KERNEL_MEMORY, "/proc/<pid>/mem")
                .path(KERNEL_MEMORY, "/dev/mem")
                .path(KERNEL_MEMORY, "/dev/kmem")
                .path(KERNEL_MEMORY, "/dev/port");

        rules.path(PROC_ENVIRON, "/proc/<pid>/environ");
        rules.path(PROC_CMDLINE, "/proc/<pid>/cmdline");

        rules.path(PROC_MAGIC_LINKS, "/proc/<pid>/root/**")
                .path(PROC_MAGIC_LINKS, "/proc/<pid>/cwd/**")
                .path(PROC_MAGIC_LINKS, "/proc/<pid>/fd/**")
                .path(PROC_MAGIC_LINKS, "/proc/<pid>/map_files/**")
                .path(PROC_MAGIC_LINKS, "/dev/fd/**");

        rules.path(RECON, "/proc/sched_debug")
                .path(RECON, "/sys/kernel/debug/**")
                .path(RECON, "/proc/<pid>/mountinfo");

        rules.path(PROC_EXE_WRITE, "/proc/<pid>/exe");

        rules.path(HOST_FILESYSTEM, "/host/**")
                .path(HOST_FILESYSTEM, "/hostfs/**")
                .path(HOST_FILESYSTEM, "/rootfs/**")
                .path(HOST_FILESYSTEM, "/host-root/**");

        for (String disk : new String[] {"sd", "vd", "xvd", "nvme", "dm-", "loop"}) {
            rules.path(BLOCK_DEVICE, "/dev/" + disk + "*");
        }

        rules.path(CREDENTIALS, "/etc/shadow")
                .path(CREDENTIALS, "/etc/gshadow")
                .path(CREDENTIALS, "/etc/shadow-") // the backups shadow(5) tools leave, with the same hashes
                .path(CREDENTIALS, "/etc/gshadow-")
                .path(CREDENTIALS, "/etc/sudoers")
                .path(CREDENTIALS, "/etc/sudoers.d/**")
                .path(CREDENTIALS, "/etc/pam.conf")
                .path(CREDENTIALS, "/etc/pam.d/**");

        rules.path(SSH_KEYS, "/root/.ssh/**")
                .path(SSH_KEYS, "/home/*/.ssh/**")
                .nameContaining(SSH_KEYS, "id_rsa")
                .nameContaining(SSH_KEYS, "id_ed25519")
                .name(SSH_KEYS, WRITE_CHANGE, "authorized_keys");

        rules.path(LOADER_PRELOAD, "/etc/ld.so.preload");

        for (String directory : new String[] {"/", "/proc", "/proc/<pid>", "/sys", "/root", "/home", "/var/log"}) {
            rules.path(SENSITIVE_LISTING, directory);
        }

        // last: a write a rule above names keeps that rule's id; every other write below /proc or /sys is this one
        rules.path(PROC_SYS_WRITE, "/proc/**")
                .path(PROC_SYS_WRITE, "/sys/**");
    }
}
