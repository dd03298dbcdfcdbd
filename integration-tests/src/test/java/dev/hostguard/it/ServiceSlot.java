package dev.hostguard.it;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Assumptions;

/**
 * The server JVM of one (JDK, server, mode) container of dynamic tests: started by the container's first test,
 * used by the ones after it ({@link #require()} skips them if it is not running), stopped by its last.
 * {@link #stopQuietly()} is for an {@code @AfterAll} that ends what a failure left running. Resources that live as
 * long as the service (a Docker stand-in, a directory outside the temp dir) are handed to {@link #onStop} and
 * closed after it, in reverse order.
 */
final class ServiceSlot {
    private final String testName;
    private final Jdks.Jdk jdk;
    private final GuardedServer server;
    private final String mode;
    private final Path dir;
    private final UnaryOperator<ServiceProcess.Builder> customize;
    private final List<AutoCloseable> companions = new ArrayList<>();
    private GuardedService service;
    private Throwable startFailure;
    private boolean stopped;

    /**
     * @param dir the service's own directory (see {@link GuardedService})
     * @param customize changes to the command, as for {@link GuardedService#start}
     */
    ServiceSlot(String testName, Jdks.Jdk jdk, GuardedServer server, String mode, Path dir,
                UnaryOperator<ServiceProcess.Builder> customize) {
        this.testName = testName;
        this.jdk = jdk;
        this.server = server;
        this.mode = mode;
        this.dir = dir;
        this.customize = customize;
    }

    /** {@code "[jdk17 demo block] "}: the prefix of the container's test names. */
    String label() {
        return "[" + jdk.label() + " " + server.id() + " " + mode + "] ";
    }

    Jdks.Jdk jdk() {
        return jdk;
    }

    GuardedServer server() {
        return server;
    }

    String mode() {
        return mode;
    }

    boolean blocking() {
        return mode.equals("block");
    }

    Path dir() {
        return dir;
    }

    /** Starts the service; a failure is remembered, so the container's other tests are skipped with its reason. */
    void start() {
        try {
            service = GuardedService.start(testName, server, jdk, mode, dir, customize);
        } catch (RuntimeException | Error e) {
            startFailure = e;
            throw e;
        }
    }

    /** Closes {@code companion} after the service has stopped. */
    synchronized void onStop(AutoCloseable companion) {
        companions.add(companion);
    }

    /** The running service, or the calling test is skipped (aborted) saying why it is not running. */
    GuardedService require() {
        if (service == null || stopped) {
            Assumptions.abort(server.id() + " on " + jdk.label() + " mode=" + mode + " is not running"
                    + (startFailure != null ? ": " + startFailure.getMessage().lines().findFirst().orElse("") : ""));
        }
        return service;
    }

    /** Stops the service (failing on agent WARN/ERROR lines) and checks the API key leaked nowhere. */
    void stop() throws Exception {
        GuardedService s = require();
        stopped = true;
        try {
            s.close();
            GuardAssertions.assertKeyNotLeaked(s);
        } finally {
            closeCompanions();
        }
    }

    void stopQuietly() {
        if (service != null && !stopped) {
            stopped = true;
            try {
                service.close();
            } catch (RuntimeException | Error ignored) {
                // already reported by the test that failed
            }
        }
        try {
            closeCompanions();
        } catch (Exception ignored) {
            // best effort after a failure
        }
    }

    private synchronized void closeCompanions() throws Exception {
        Exception first = null;
        for (int i = companions.size() - 1; i >= 0; i--) {
            try {
                companions.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        companions.clear();
        if (first != null) {
            throw first;
        }
    }
}
