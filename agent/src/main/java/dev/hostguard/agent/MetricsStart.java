package dev.hostguard.agent;

import dev.hostguard.agent.config.AgentOptions;
import dev.hostguard.agent.metrics.AgentMetrics;
import dev.hostguard.agent.metrics.MetricsExposure;
import java.util.function.LongSupplier;

/** Starts the metrics' exposure when the {@code metrics} option asks for it; nothing at all otherwise. */
final class MetricsStart {
    private MetricsStart() {
    }

    static MetricsExposure start(AgentOptions options, AgentLogging logging) {
        if (options.metrics() == null || !options.metrics().enabled()) {
            return null;
        }
        SinkDrops drops = logging.drops();
        if (drops == null) {
            return MetricsExposure.start(options.metrics(), logging.diagnostics(MetricsExposure.class));
        }
        AgentMetrics.INSTANCE.sinkDrops(new LongSupplier() {
            @Override
            public long getAsLong() {
                return drops.queueFullTotal();
            }
        }, new LongSupplier() {
            @Override
            public long getAsLong() {
                return drops.writeFailedTotal();
            }
        });
        return MetricsExposure.start(options.metrics(), logging.diagnostics(MetricsExposure.class));
    }
}
