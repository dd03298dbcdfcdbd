package dev.hostguard.demo;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /admin/metrics}: what an ordinary metrics endpoint does inside a request, and what a guard must never
 * mistake for an attack.
 * <ul>
 *   <li>{@code com.sun.management.OperatingSystemMXBean}: total memory, CPU load and free swap. The first use in
 *       the JVM makes the JDK's container support ({@code jdk.internal.platform}) read {@code /proc/self/mountinfo},
 *       {@code /proc/self/cgroup} and files under {@code /sys/fs/cgroup} from Java code. The demo touches this
 *       MXBean nowhere else, so the first {@code /admin/metrics} request is that first use.</li>
 *   <li>Class loading: loads a Jetty class the demo never uses ({@link #UNUSED_CLASS}) from its own jar, and reads
 *       a resource through a new {@link URLClassLoader} over the JDK's {@code lib/jrt-fs.jar}, a jar nothing else
 *       opens, so the JDK opens that jar inside the request.</li>
 *   <li>Logging: one line through the demo's own logback.</li>
 * </ul>
 */
final class Metrics {

    /** In the demo's jar (jetty-util) and never used by the demo. */
    static final String UNUSED_CLASS = "org.eclipse.jetty.util.Scanner";

    private static final Logger LOG = LoggerFactory.getLogger(Metrics.class);

    private Metrics() {
    }

    static String snapshot() throws Exception {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long totalMemory = os.getTotalMemorySize();
        double cpuLoad = os.getCpuLoad();
        long freeSwap = os.getFreeSwapSpaceSize();

        Class<?> unused = Class.forName(UNUSED_CLASS, false, Metrics.class.getClassLoader());
        int jarBytes = readFromFreshJar(Path.of(System.getProperty("java.home"), "lib", "jrt-fs.jar"));

        LOG.info("metrics served: total_memory={} cpu_load={} free_swap={}", totalMemory, cpuLoad, freeSwap);
        return "total_memory=" + totalMemory + "\ncpu_load=" + cpuLoad + "\nfree_swap=" + freeSwap
                + "\nloaded_class=" + unused.getName() + "\njar_resource_bytes=" + jarBytes + "\n";
    }

    /** The size of the jar's manifest, read through a new class loader (so the JDK opens the jar); -1 if none. */
    private static int readFromFreshJar(Path jar) throws Exception {
        if (!Files.isRegularFile(jar)) {
            return -1;
        }
        // parent null: only the boot loader comes first, and it has no META-INF/MANIFEST.MF of its own
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            URL manifest = loader.getResource("META-INF/MANIFEST.MF");
            if (manifest == null) {
                return -1;
            }
            try (InputStream in = manifest.openStream()) {
                return in.readAllBytes().length;
            }
        }
    }
}
