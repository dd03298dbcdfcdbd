package dev.hostguard.testapps.messaging;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.qpid.server.SystemLauncher;
import org.apache.qpid.server.SystemLauncherListener;
import org.apache.qpid.server.model.Broker;
import org.apache.qpid.server.model.Port;
import org.apache.qpid.server.model.SystemConfig;
import org.apache.qpid.server.model.port.AmqpPort;

/**
 * An embedded Apache Qpid Broker-J: AMQP 0-9-1 (what the RabbitMQ Java client speaks) on a loopback port the system
 * picks, a memory virtual host, one PLAIN user {@code guest}; its configuration {@code qpid-broker.json}.
 */
final class QpidBroker implements AutoCloseable {
    private final AtomicReference<SystemConfig<?>> system = new AtomicReference<>();
    private final SystemLauncher launcher = new SystemLauncher(
            new SystemLauncherListener.DefaultSystemLauncherListener() {
                @Override
                public void onContainerResolve(SystemConfig<?> config) {
                    system.set(config);
                }
            });

    /** Starts the broker: when this returns its AMQP port accepts connections. */
    QpidBroker() throws Exception {
        Map<String, Object> attributes = new HashMap<>();
        attributes.put("type", "Memory");
        attributes.put("initialConfigurationLocation",
                QpidBroker.class.getClassLoader().getResource("qpid-broker.json").toExternalForm());
        attributes.put("startupLoggedToSystemOut", false);
        launcher.startup(attributes);
    }

    /** The AMQP port's bound port. */
    int port() {
        Broker<?> broker = (Broker<?>) system.get().getContainer();
        for (Port<?> port : broker.getPorts()) {
            if (port instanceof AmqpPort<?> amqp) {
                return amqp.getBoundPort();
            }
        }
        throw new IllegalStateException("the broker has no AMQP port");
    }

    @Override
    public void close() {
        launcher.shutdown();
    }
}
