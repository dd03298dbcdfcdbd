package dev.hostguard.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the build put what the tests run: the agent jar, the demo jar, the test apps, this module's test
 * classes, the log dir.
 */
public final class BuiltArtifacts {
    private BuiltArtifacts() {
    }

    /** The shaded agent ({@code agent/target/hostguard-agent.jar}); fails the test if it was not built. */
    public static Path agentJar() {
        return existing("hostguard.agent.jar", "../agent/target/hostguard-agent.jar", "mvn -pl agent package");
    }

    /**
     * The OpenTelemetry Java agent ({@code io.opentelemetry.javaagent:opentelemetry-javaagent}, copied to
     * {@code target/tracers/} by the build).
     */
    public static Path openTelemetryAgentJar() {
        return existing("hostguard.otel.agent.jar", "target/tracers/opentelemetry-javaagent.jar",
                "mvn -pl integration-tests verify (dependency:copy of opentelemetry-javaagent)");
    }

    /** The runnable demo ({@code demo-app/target/hostguard-demo.jar}); fails the test if it was not built. */
    public static Path demoJar() {
        return existing("hostguard.demo.jar", "../demo-app/target/hostguard-demo.jar", "mvn -pl demo-app package");
    }

    /** The Spring Boot 3 test app ({@code test-apps/spring-boot3/target/hostguard-spring-boot3-app.jar}). */
    public static Path springBoot3Jar() {
        return existing("hostguard.spring-boot3.jar", "../test-apps/spring-boot3/target/hostguard-spring-boot3-app.jar",
                "mvn -pl test-apps/spring-boot3 -am package");
    }

    /** The Spring Boot 2.7 test app ({@code test-apps/spring-boot2/target/hostguard-spring-boot2-app.jar}). */
    public static Path springBoot2Jar() {
        return existing("hostguard.spring-boot2.jar", "../test-apps/spring-boot2/target/hostguard-spring-boot2-app.jar",
                "mvn -pl test-apps/spring-boot2 -am package");
    }

    /** The Micronaut 4 test app ({@code test-apps/micronaut/target/hostguard-micronaut-app.jar}). */
    public static Path micronautJar() {
        return existing("hostguard.micronaut.jar", "../test-apps/micronaut/target/hostguard-micronaut-app.jar",
                "mvn -pl test-apps/micronaut -am package");
    }

    /** The JMS test app ({@code test-apps/messaging/target/hostguard-messaging-app.jar}, shaded). */
    public static Path messagingJar() {
        return existing("hostguard.messaging.jar", "../test-apps/messaging/target/hostguard-messaging-app.jar",
                "mvn -pl test-apps/messaging -am package");
    }

    /** The Spring listeners' test app ({@code test-apps/spring-messaging/target/hostguard-spring-messaging-app.jar}). */
    public static Path springMessagingJar() {
        return existing("hostguard.spring-messaging.jar",
                "../test-apps/spring-messaging/target/hostguard-spring-messaging-app.jar",
                "mvn -pl test-apps/spring-messaging -am package");
    }

    /** The one-node KRaft Kafka broker ({@code test-apps/kafka-broker/target/hostguard-kafka-broker.jar}, shaded). */
    public static Path kafkaBrokerJar() {
        return existing("hostguard.kafka-broker.jar", "../test-apps/kafka-broker/target/hostguard-kafka-broker.jar",
                "mvn -pl test-apps/kafka-broker -am package");
    }

    /** The AMQP 0-9-1 broker, Qpid Broker-J ({@code test-apps/amqp-broker/target/hostguard-amqp-broker.jar}, shaded). */
    public static Path amqpBrokerJar() {
        return existing("hostguard.amqp-broker.jar", "../test-apps/amqp-broker/target/hostguard-amqp-broker.jar",
                "mvn -pl test-apps/amqp-broker -am package");
    }

    /** The Undertow test app ({@code test-apps/undertow/target/hostguard-undertow-app.jar}, shaded). */
    public static Path undertowJar() {
        return existing("hostguard.undertow.jar", "../test-apps/undertow/target/hostguard-undertow-app.jar",
                "mvn -pl test-apps/undertow -am package");
    }

    /**
     * The Helidon SE 4 test app ({@code test-apps/helidon/target/hostguard-helidon-app.jar}, its dependencies in
     * {@code libs/} beside it). Built without a JDK 21+ compiler, that jar holds no app: see
     * {@link #helidonAppMissing()}.
     */
    public static Path helidonJar() {
        return existing("hostguard.helidon.jar", "../test-apps/helidon/target/hostguard-helidon-app.jar",
                "mvn -pl test-apps/helidon -am package (with a JDK 21+ running Maven, or Temurin 25 installed)");
    }

    /** The Helidon app's main class, which the jar holds only when a JDK 21+ compiled it. */
    static final String HELIDON_MAIN = "dev/hostguard/testapps/helidon/HelidonApp.class";

    /**
     * Why the Helidon app cannot run, or null when it can: the jar is missing, or it was built without a JDK 21+
     * compiler ({@code test-apps/helidon/pom.xml} then compiles nothing and the jar holds no app).
     */
    static String helidonAppMissing() {
        Path jar = Path.of(System.getProperty("hostguard.helidon.jar",
                "../test-apps/helidon/target/hostguard-helidon-app.jar")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            return jar + " does not exist: build it with mvn -pl test-apps/helidon -am package";
        }
        try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar.toFile())) {
            return file.getEntry(HELIDON_MAIN) != null ? null : jar + " holds no app: it was built without a JDK 21+ "
                    + "compiler (Maven on JDK 17 and no /usr/lib/jvm/temurin-25-jdk-amd64/bin/javac)";
        } catch (IOException e) {
            return jar + " cannot be read: " + e;
        }
    }

    /** The docker-java test app ({@code test-apps/docker-java/target/hostguard-docker-java-app.jar}, its {@code libs/} beside it). */
    public static Path dockerJavaJar() {
        return existing("hostguard.docker-java.jar", "../test-apps/docker-java/target/hostguard-docker-java-app.jar",
                "mvn -pl test-apps/docker-java package");
    }

    /** The grpc-java test app ({@code test-apps/grpc/target/hostguard-grpc-app.jar}, shaded). */
    public static Path grpcJar() {
        return existing("hostguard.grpc.jar", "../test-apps/grpc/target/hostguard-grpc-app.jar",
                "mvn -pl test-apps/grpc -am package");
    }

    /** The Vert.x 5 test app ({@code test-apps/vertx/target/hostguard-vertx-app.jar}, shaded). */
    public static Path vertxJar() {
        return existing("hostguard.vertx.jar", "../test-apps/vertx/target/hostguard-vertx-app.jar",
                "mvn -pl test-apps/vertx -am package");
    }

    /**
     * The Quarkus 3 test app's runner ({@code test-apps/quarkus/target/quarkus-app/quarkus-run.jar}: the fast-jar,
     * which loads the rest of {@code quarkus-app/} from beside it).
     */
    public static Path quarkusJar() {
        return existing("hostguard.quarkus.jar", "../test-apps/quarkus/target/quarkus-app/quarkus-run.jar",
                "mvn -pl test-apps/quarkus -am package");
    }

    /** The Spring WebFlux test app ({@code test-apps/spring-webflux/target/hostguard-spring-webflux-app.jar}). */
    public static Path springWebFluxJar() {
        return existing("hostguard.spring-webflux.jar",
                "../test-apps/spring-webflux/target/hostguard-spring-webflux-app.jar",
                "mvn -pl test-apps/spring-webflux -am package");
    }

    /** {@code target/it-logs}: one log file per service JVM. */
    public static Path logsDir() {
        Path dir = Path.of(System.getProperty("hostguard.it.logs", "target/it-logs")).toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** This module's compiled test classes (holds {@code dev.hostguard.it.app.HttpServerApp} and {@code TomcatApp}). */
    public static Path testClasses() {
        try {
            return Path.of(BuiltArtifacts.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Embedded Tomcat's jars, as Maven put them on this JVM's test class path (core, the annotations API it needs,
     * its WebSocket container), for {@code dev.hostguard.it.app.TomcatApp}.
     */
    public static Path[] tomcatJars() {
        return new Path[] {locationOf("org.apache.catalina.startup.Tomcat"), locationOf("jakarta.annotation.PostConstruct"),
                locationOf("org.apache.tomcat.websocket.server.WsSci")};
    }

    /**
     * Micrometer's jars, as Maven put them on this JVM's test class path (core, commons, observation, HdrHistogram),
     * for the JDK HttpServer app's {@code /micrometer} route.
     */
    public static Path[] micrometerJars() {
        return new Path[] {locationOf("io.micrometer.core.instrument.Metrics"),
                locationOf("io.micrometer.common.KeyValue"), locationOf("io.micrometer.observation.Observation"),
                locationOf("org.HdrHistogram.Histogram")};
    }

    private static Path locationOf(String className) {
        try {
            return Path.of(Class.forName(className, false, BuiltArtifacts.class.getClassLoader())
                    .getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (ClassNotFoundException | URISyntaxException e) {
            throw new IllegalStateException(className + " is not on the test class path (see the module's pom)", e);
        }
    }

    private static Path existing(String property, String fallback, String howToBuild) {
        Path path = Path.of(System.getProperty(property, fallback)).toAbsolutePath().normalize();
        if (!Files.isRegularFile(path)) {
            fail(path + " does not exist (system property " + property + "); build it first: " + howToBuild);
        }
        return path;
    }
}
