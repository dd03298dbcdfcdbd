package dev.hostguard.agent.posture;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The effective capabilities that open a way out of a container by themselves: the set of Falco's "Launch
 * Excessively Capable Container" rule (falcosecurity/rules, incubating), which GKE's threat detection uses too.
 * Docker's default grant (CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP, NET_BIND_SERVICE,
 * NET_RAW, SYS_CHROOT, MKNOD, AUDIT_WRITE, SETFCAP) is left out on purpose: every container has it, so listing it
 * would mark every container alike; DAC_OVERRIDE and SETUID/SETGID reach the host only through a host mount, which the
 * same summary line reports, MKNOD only through a device the devices cgroup allows, SYS_CHROOT only with SYS_ADMIN.
 */
final class EscapeCapabilities {
    /** Name → bit number (linux/capability.h), in the order the summary lists them: most direct escape first. */
    private static final Map<String, Integer> BITS = new LinkedHashMap<>();

    static {
        BITS.put("CAP_SYS_ADMIN", 21); // mount, cgroup v1 release_agent, namespaces: the classic escapes
        BITS.put("CAP_SYS_PTRACE", 19); // inject into any process it can see (host processes with --pid=host)
        BITS.put("CAP_DAC_READ_SEARCH", 2); // open_by_handle_at reads any host file ("Shocker")
        BITS.put("CAP_SYS_MODULE", 16); // load a kernel module: code in the host kernel
        BITS.put("CAP_SYS_RAWIO", 17); // /dev/mem, raw I/O ports, raw block device access
        BITS.put("CAP_SYS_BOOT", 22); // kexec a new kernel, reboot the host
        BITS.put("CAP_BPF", 39); // load eBPF programs: kernel memory reads, large kernel attack surface
        BITS.put("CAP_NET_ADMIN", 12); // reconfigure (host) networking, netfilter's kernel attack surface
        BITS.put("CAP_SYSLOG", 34); // kernel log and kernel addresses: defeats KASLR for a kernel exploit
    }

    static final String UNKNOWN = "unknown";

    private EscapeCapabilities() {
    }

    /** The escape capabilities in a {@code CapEff} hex mask; {@code {"unknown"}} when it cannot be read. */
    static Set<String> of(String capEffHex) {
        long mask;
        try {
            mask = Long.parseUnsignedLong(capEffHex.trim(), 16);
        } catch (RuntimeException e) { // null, empty, not hex, too long
            return Set.of(UNKNOWN);
        }
        Set<String> names = new LinkedHashSet<>();
        for (Map.Entry<String, Integer> capability : BITS.entrySet()) { // no lambda: nothing to bootstrap at start-up
            if ((mask & 1L << capability.getValue()) != 0) {
                names.add(capability.getKey());
            }
        }
        return Collections.unmodifiableSet(names);
    }
}
