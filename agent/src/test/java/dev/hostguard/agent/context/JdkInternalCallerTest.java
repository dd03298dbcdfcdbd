package dev.hostguard.agent.context;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which files the JDK's container support may have read: only those are worth the caller's stack walk. */
class JdkInternalCallerTest {
    @Test
    void theFilesTheJdksContainerSupportReads() {
        for (String path : new String[] {"/proc/self/mountinfo", "/proc/4711/mountinfo", "/proc/self/cgroup",
                "/proc/4711/cgroup", "/proc/cgroups", "/sys/fs/cgroup/memory.max",
                "/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/kernel/debug/x"}) {
            assertTrue(JdkInternalCaller.mayRead(path), path);
        }
    }

    @Test
    void noOtherFile() {
        for (String path : new String[] {"/proc/self/environ", "/proc/4711/environ", "/proc/self/cmdline",
                "/proc/self/mem", "/proc/kcore", "/etc/shadow", "/var/run/docker.sock", "/tmp/mountinfo",
                "/tmp/proc/self/cgroup", "/proc/cgroups2", "/system", "", "/"}) {
            assertFalse(JdkInternalCaller.mayRead(path), path);
        }
        assertFalse(JdkInternalCaller.mayRead(null));
    }

    @Test
    void eitherFormOfAPath() {
        assertTrue(JdkInternalCaller.mayRead("/tmp/link-to-mountinfo", "/proc/4711/mountinfo"));
        assertTrue(JdkInternalCaller.mayRead("/proc/self/mountinfo", null));
        assertFalse(JdkInternalCaller.mayRead("/tmp/notes", "/proc/4711/environ"));
    }
}
