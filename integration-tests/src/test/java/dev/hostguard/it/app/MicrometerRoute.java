package dev.hostguard.it.app;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /micrometer} of {@link HttpServerApp} when Micrometer is on its class path: the first call loads
 * Micrometer (so it loads long after the agent started, as in a service that initialises its metrics late) and adds
 * a {@link SimpleMeterRegistry} to the global registry, as Spring Boot adds its own; each call answers the global
 * registry's {@code hostguard.*} meters, one line each: {@code <name> <tag>=<value>... <count>}, sorted.
 */
final class MicrometerRoute {
    private static SimpleMeterRegistry registry;

    private MicrometerRoute() {
    }

    static synchronized String hostguardMeters() {
        if (registry == null) {
            registry = new SimpleMeterRegistry();
            Metrics.addRegistry(registry);
        }
        List<String> lines = new ArrayList<>();
        for (Meter meter : Metrics.globalRegistry.getMeters()) {
            if (!meter.getId().getName().startsWith("hostguard.")) {
                continue;
            }
            StringBuilder line = new StringBuilder(meter.getId().getName());
            for (Tag tag : meter.getId().getTags()) {
                line.append(' ').append(tag.getKey()).append('=').append(tag.getValue());
            }
            line.append(' ').append((long) meter.measure().iterator().next().getValue());
            lines.add(line.toString());
        }
        lines.sort(null);
        return String.join("\n", lines) + "\n";
    }
}
