package dev.hostguard.agent;

import dev.hostguard.agent.config.AgentOptions;
import dev.hostguard.agent.metrics.AgentMetrics;
import dev.hostguard.agent.metrics.MetricsExposure;
import dev.hostguard.agent.metrics.MicrometerMeters;
import java.lang.instrument.Instrumentation;
import java.util.function.LongSupplier;

/** Starts the metrics' exposure when the {@code metrics} option asks for it; nothing at all otherwise. */
final class MetricsStart {
    private MetricsStart() {
    }

    static void start(AgentOptions options, AgentLogging logging, Instrumentation instrumentation) {
        if (options.metrics() == null || !options.metrics().enabled()) {
            return;
        }
        SinkDrops drops = logging.drops();
        if (drops != null) {
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
        }
        MetricsExposure.start(options.metrics(), logging.diagnostics(MetricsExposure.class));
        if (options.metrics().micrometer()) {
            MicrometerMeters.start(instrumentation, AgentMetrics.INSTANCE, logging.diagnostics(MicrometerMeters.class));
        }
    }
}
