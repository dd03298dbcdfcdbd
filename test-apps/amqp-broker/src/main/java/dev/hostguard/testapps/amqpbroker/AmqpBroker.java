package dev.hostguard.testapps.amqpbroker;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.qpid.server.SystemLauncher;
import org.apache.qpid.server.SystemLauncherListener;
import org.apache.qpid.server.model.Broker;
import org.apache.qpid.server.model.Port;
import org.apache.qpid.server.model.SystemConfig;
import org.apache.qpid.server.model.port.AmqpPort;

/**
 * An Apache Qpid Broker-J in its own JVM, without the agent: AMQP 0-9-1 (what the RabbitMQ Java client speaks) on a
 * loopback port the system picks, a memory virtual host, one PLAIN user {@code guest}; its configuration
 * {@code qpid-broker.json}. {@code AmqpBroker} starts it and prints {@code amqp-broker ready 127.0.0.1:<port> in
 * <ms> ms} once the port accepts connections; it runs until the JVM is stopped. Broker-J 9.2 calls
 * {@code Subject.getSubject}, which JDK 24+ always refuses: it needs a JDK before 24.
 */
public final class AmqpBroker {
    private AmqpBroker() {
    }

    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        AtomicReference<SystemConfig<?>> system = new AtomicReference<>();
        SystemLauncher launcher = new SystemLauncher(new SystemLauncherListener.DefaultSystemLauncherListener() {
            @Override
            public void onContainerResolve(SystemConfig<?> config) {
                system.set(config);
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(launcher::shutdown, "amqp-broker-stop"));
        Map<String, Object> attributes = new HashMap<>();
        attributes.put("type", "Memory");
        attributes.put("initialConfigurationLocation",
                AmqpBroker.class.getClassLoader().getResource("qpid-broker.json").toExternalForm());
        attributes.put("startupLoggedToSystemOut", false);
        launcher.startup(attributes); // returns once the ports are bound
        System.out.println("amqp-broker ready 127.0.0.1:" + amqpPort(system.get()) + " in "
                + (System.nanoTime() - started) / 1_000_000 + " ms");
        System.out.flush();
        new CountDownLatch(1).await();
    }

    private static int amqpPort(SystemConfig<?> system) {
        Broker<?> broker = (Broker<?>) system.getContainer();
        for (Port<?> port : broker.getPorts()) {
            if (port instanceof AmqpPort<?> amqp) {
                return amqp.getBoundPort();
            }
        }
        throw new IllegalStateException("the broker has no AMQP port");
    }
}
