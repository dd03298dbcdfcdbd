package dev.hostguard.it;

import java.nio.file.Path;
import java.util.List;

/** The services the agent guards in these tests, and which route each credential class uses. */
public enum GuardedServer {
    /** {@code hostguard-demo.jar}: Jetty 12, servlet filter for the API key, container BASIC login. */
    DEMO("demo", "demo (Jetty)", "/public", "/admin", "/ops"),
    /** {@link dev.hostguard.it.app.HttpServerApp}: the JDK's {@code com.sun.net.httpserver}. */
    HTTPSERVER_APP("httpserver-app", "httpserver-app (JDK HttpServer)", "/open", "/admin", "/user"),
    /** {@link dev.hostguard.it.app.TomcatApp}: embedded Tomcat 11 serving the demo's servlets. */
    TOMCAT_APP("tomcat-app", "tomcat-app (Tomcat 11)", "/open", "/admin", "/user"),
    /**
     * {@code hostguard-spring-boot3-app.jar} (test-apps/spring-boot3): Spring Boot 3.5, Tomcat 10.1, Spring Security 6;
     * a route family per way of authenticating, each serving {@code /exec}, {@code /environ}, {@code /socket} and
     * {@code /benign}; {@code /key} is its own service-key filter, {@code /basic} HTTP Basic, {@code /anon} open.
     */
    SPRING_BOOT3("spring-boot3", "spring-boot3-app (Spring Boot 3.5, Tomcat 10.1)", "/anon", "/key", "/basic"),
    /**
     * {@code hostguard-spring-boot2-app.jar} (test-apps/spring-boot2): Spring Boot 2.7 (javax, Tomcat 9, Spring
     * Security 5.7), the same operations under {@code /key}, {@code /basic} and {@code /anon}.
     */
    SPRING_BOOT2("spring-boot2", "spring-boot2-app (Spring Boot 2.7, Tomcat 9)", "/anon", "/key", "/basic"),
    /**
     * {@code hostguard-micronaut-app.jar} (test-apps/micronaut): Micronaut 4.10 on its Netty HTTP server,
     * micronaut-security 4.15; the same operations under {@code /key} (the app's own {@code AuthenticationFetcher} on
     * {@code X-Service-Key}), {@code /basic} (HTTP Basic) and {@code /anon}, each on the event loop and under
     * {@code /<area>/blocking} with {@code @ExecuteOn(TaskExecutors.BLOCKING)}, and the hand-overs
     * {@code /key/future} and {@code /key/mono}.
     */
    MICRONAUT("micronaut", "micronaut-app (Micronaut 4.10, Netty)", "/anon", "/key", "/basic"),
    /**
     * {@code hostguard-undertow-app.jar} (test-apps/undertow): Undertow 2.4 on its own {@code HttpHandler} API (no
     * servlet), the same operations under {@code /key} (its own service-key {@code AuthenticationMechanism}),
     * {@code /basic} (Undertow's {@code BasicAuthenticationMechanism}) and {@code /anon}.
     */
    UNDERTOW("undertow", "undertow-app (Undertow 2.4 HttpHandler)", "/anon", "/key", "/basic"),
    /**
     * {@code hostguard-helidon-app.jar} (test-apps/helidon, with its {@code libs/}): Helidon SE 4.2 (JDK 21+), the same
     * operations under {@code /key} (its own service-key {@code AuthenticationProvider}), {@code /basic} (Helidon
     * Security's HTTP Basic provider) and {@code /anon}.
     */
    HELIDON("helidon", "helidon-app (Helidon SE 4.2)", "/anon", "/key", "/basic"),
    /**
     * {@code hostguard-vertx-app.jar} (test-apps/vertx): Vert.x 5, a vertx-web Router; the same operations under
     * {@code /key} ({@code APIKeyHandler} on {@code X-Service-Key}), {@code /basic} ({@code BasicAuthHandler} against
     * {@code PropertyFileAuthentication}) and {@code /anon}, plus the framework's hand-overs.
     */
    VERTX("vertx", "vertx-app (Vert.x 5, vertx-web)", "/anon", "/key", "/basic"),
    /**
     * {@code quarkus-app/quarkus-run.jar} (test-apps/quarkus): Quarkus 3.33 REST on Vert.x 4.5, the fast-jar; the same
     * operations under {@code /key} (a custom {@code HttpAuthenticationMechanism} on {@code X-Service-Key}),
     * {@code /basic} (Basic against the embedded user store) and {@code /anon}, plus Quarkus' hand-overs.
     */
    QUARKUS("quarkus", "quarkus-app (Quarkus 3.33 REST, Vert.x 4.5)", "/anon", "/key", "/basic"),
    /**
     * {@code hostguard-spring-webflux-app.jar} (test-apps/spring-webflux): Spring Boot 3.5 WebFlux on Reactor Netty,
     * Spring Security WebFlux; the same operations under {@code /key} (its own {@code AuthenticationWebFilter} on
     * {@code X-Service-Key}), {@code /basic} (HTTP Basic) and {@code /anon} (open), as annotated controllers, and under
     * {@code /fn/key} and {@code /fn/anon} as functional routes.
     */
    SPRING_WEBFLUX("spring-webflux", "spring-webflux-app (Spring Boot 3.5 WebFlux, Reactor Netty)", "/anon", "/key",
            "/basic"),
    /**
     * {@code hostguard-docker-java-app.jar} (test-apps/docker-java): docker-java 3.5 clients (httpclient5 and zerodep
     * transports, pools kept for the service's life) on the JDK's {@code HttpServer}; {@code /<area>/docker?client=&op=}
     * under {@code /admin} ({@code X-API-Key}), {@code /user} ({@code BasicAuthenticator}) and {@code /open}. It serves
     * no {@code /exec} or {@code /file} route.
     */
    DOCKER_JAVA("docker-java", "docker-java-app (docker-java 3.5, JDK HttpServer)", "/open", "/admin", "/user"),
    /**
     * {@code hostguard-grpc-app.jar} (test-apps/grpc): a plain grpc-java 1.85 service on Netty, {@code hostguard.Ops}
     * with one unary method per operation, in plain text (key metadata or none) and over mTLS; no HTTP routes, so its
     * areas are only names ({@code GrpcIT}); its readiness line is the plain-text port's. Needs env
     * {@code TLS_KEYSTORE} and {@code TLS_PASSWORD}, which the test adds.
     */
    GRPC("grpc", "grpc-app (grpc-java 1.85, Netty)", "/none", "/key", "/mtls"),
    /**
     * {@code hostguard-messaging-app.jar} (test-apps/messaging): an embedded ActiveMQ Artemis 2.40 broker and a
     * Jakarta JMS {@code MessageListener} that runs the host operation a message names, and the same for a Kafka and
     * a RabbitMQ consumer of the brokers env {@code KAFKA_BOOTSTRAP} and {@code AMQP_PORT} name
     * ({@link BrokerProcess}); {@code GET /send?op=} (the JDK's HttpServer, no authentication) only hands it the
     * message. It serves no area routes.
     */
    MESSAGING("messaging", "messaging-app (JMS on Artemis, Kafka, RabbitMQ on Qpid Broker-J)", "/send", "/send", "/send"),
    /**
     * {@code hostguard-spring-messaging-app.jar} (test-apps/spring-messaging): Spring Boot 3.5, a
     * {@code @KafkaListener} (Spring Kafka 3.3's {@code ConcurrentMessageListenerContainer}) and a {@code @JmsListener}
     * (Spring JMS' {@code DefaultMessageListenerContainer} on Boot's embedded Artemis) that run the host operation a
     * message names; {@code GET /send?system=&op=} (Tomcat, no authentication) only hands them the message. Needs
     * env {@code KAFKA_BOOTSTRAP}, which the test adds. It serves no area routes.
     */
    SPRING_MESSAGING("spring-messaging",
            "spring-messaging-app (Spring Boot 3.5 @KafkaListener, @JmsListener on Artemis)", "/send", "/send", "/send");

    /**
     * For the apps on the JDK's {@code HttpServer}: JDK 17's writes a response's head and body in two segments
     * without {@code TCP_NODELAY}, so a kept-alive client waits out Nagle's algorithm against its delayed ACK, about
     * 40 ms a request (JDK 25's does not: measured 44 ms against 0.8 ms with this property and 1.0 ms on 25). A
     * documented property of the JDK's server; HostGuard's hooks see the same requests either way.
     */
    private static final String JDK_HTTP_SERVER_NODELAY = "-Dsun.net.httpserver.nodelay=true";

    /**
     * The servers with every exec and file route (the matrices run against these); the Tomcat app serves the exec
     * action and its async forms only.
     */
    public static final List<GuardedServer> WITH_EVERY_ROUTE = List.of(DEMO, HTTPSERVER_APP);

    private final String id;
    private final String displayName;
    private final String openArea;
    private final String apiKeyArea;
    private final String loginArea;

    /**
     * The areas are the route prefixes per credential class; each holds {@code /exec} and {@code /file} (the Spring
     * apps: {@code /exec} and their other operations).
     */
    GuardedServer(String id, String displayName, String openArea, String apiKeyArea, String loginArea) {
        this.id = id;
        this.displayName = displayName;
        this.openArea = openArea;
        this.apiKeyArea = apiKeyArea;
        this.loginArea = loginArea;
    }

    /** Short, file-name safe. */
    public String id() {
        return id;
    }

    public String displayName() {
        return displayName;
    }

    /** The exec route ({@code ?cmd=&api=}, any action) a request with these credentials goes to. */
    public String route(Credentials credentials) {
        return area(credentials) + "/exec";
    }

    /** The file route ({@code ?api=<file action>&path=[&data=]}) a request with these credentials goes to. */
    public String fileRoute(Credentials credentials) {
        return area(credentials) + "/file";
    }

    /**
     * The route ({@code ?cmd=&api=}) of the exec action behind the servlet async API: {@code kind} {@code start}
     * ({@code AsyncContext.start}) or {@code dispatch} ({@code AsyncContext.dispatch}); servlet servers only.
     */
    public String asyncRoute(Credentials credentials, String kind) {
        if (this != DEMO && this != TOMCAT_APP) {
            throw new IllegalArgumentException(displayName + " has no servlet async API");
        }
        return area(credentials) + "/async-" + kind;
    }

    /** The route prefix a request with these credentials goes to ({@code /admin}, {@code /key}, ...). */
    public String area(Credentials credentials) {
        return switch (credentials) {
            case NONE -> openArea;
            case API_KEY -> apiKeyArea;
            case USER_LOGIN -> loginArea;
        };
    }

    /**
     * The header the API-key area checks: {@code X-API-Key}, or for the apps of {@code test-apps/} their own
     * {@code X-Service-Key}, which is none of the agent's default key headers (the agent must tell the request by
     * what the framework's security established).
     */
    public String keyHeader() {
        return testApp() ? "X-Service-Key" : "X-API-Key";
    }

    /** The package prefix of the code that performs the operations: the first of an event's frames. */
    public String appPackage() {
        return testApp() || this == GRPC ? "dev.hostguard.testapps." : "dev.hostguard.demo.";
    }

    /** An app of {@code test-apps/}, which serves {@code test-apps/host-operations}. */
    private boolean testApp() {
        return this == SPRING_BOOT3 || this == SPRING_BOOT2 || this == MICRONAUT || this == UNDERTOW
                || this == HELIDON || this == VERTX || this == QUARKUS
                || this == SPRING_WEBFLUX || this == MESSAGING || this == SPRING_MESSAGING;
    }

    /**
     * The command for this server on {@code jdk}, without agent: {@code --add-opens java.base/java.lang} (the
     * ProcessImpl shapes need it), credentials in the environment, port 0 on 127.0.0.1.
     */
    public ServiceProcess.Builder command(String testName, Jdks.Jdk jdk, Secrets secrets) {
        ServiceProcess.Builder b = ServiceProcess.builder(testName, jdk)
                .label(testName + " " + id + " on " + jdk.label())
                .jvmArgs("--add-opens", "java.base/java.lang=ALL-UNNAMED")
                .env("API_KEY", secrets.apiKey())
                .env("OPS_USER", secrets.opsUser())
                .env("OPS_PASSWORD", secrets.opsPassword())
                .env("PORT", "0")
                .env("BIND", "127.0.0.1");
        return switch (this) {
            case DEMO -> b.jar(BuiltArtifacts.demoJar());
            case HTTPSERVER_APP -> b.jvmArgs(JDK_HTTP_SERVER_NODELAY).mainClass("dev.hostguard.it.app.HttpServerApp",
                    BuiltArtifacts.testClasses(), BuiltArtifacts.demoJar());
            case TOMCAT_APP -> {
                Path[] tomcat = BuiltArtifacts.tomcatJars();
                yield b.mainClass("dev.hostguard.it.app.TomcatApp", BuiltArtifacts.testClasses(), tomcat[0],
                        tomcat[1], tomcat[2], BuiltArtifacts.demoJar());  // Tomcat's servlet and WebSocket APIs before the demo's Jetty copies
            }
            case SPRING_BOOT3 -> b.jar(BuiltArtifacts.springBoot3Jar())
                    .env("SERVICE_KEY", secrets.apiKey())
                    .env("JWT_SECRET", secrets.jwtSecret());
            case SPRING_BOOT2 -> b.jar(BuiltArtifacts.springBoot2Jar()).env("SERVICE_KEY", secrets.apiKey());
            case MICRONAUT -> b.jar(BuiltArtifacts.micronautJar()).env("SERVICE_KEY", secrets.apiKey());
            case UNDERTOW -> b.jar(BuiltArtifacts.undertowJar()).env("SERVICE_KEY", secrets.apiKey());
            case HELIDON -> b.jar(BuiltArtifacts.helidonJar()).env("SERVICE_KEY", secrets.apiKey());
            case VERTX -> b.jar(BuiltArtifacts.vertxJar()).env("SERVICE_KEY", secrets.apiKey());
            case QUARKUS -> b.jar(BuiltArtifacts.quarkusJar()).env("SERVICE_KEY", secrets.apiKey());
            case SPRING_WEBFLUX -> b.jar(BuiltArtifacts.springWebFluxJar()).env("SERVICE_KEY", secrets.apiKey());
            case DOCKER_JAVA -> b.jvmArgs(JDK_HTTP_SERVER_NODELAY).jar(BuiltArtifacts.dockerJavaJar());
            case GRPC -> b.jar(BuiltArtifacts.grpcJar()).env("SERVICE_KEY", secrets.apiKey());
            case MESSAGING -> b.jvmArgs(JDK_HTTP_SERVER_NODELAY).jar(BuiltArtifacts.messagingJar());
            case SPRING_MESSAGING -> b.jar(BuiltArtifacts.springMessagingJar());
        };
    }

    @Override
    public String toString() {
        return displayName;
    }
}
