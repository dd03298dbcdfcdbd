package dev.hostguard.agent.instrument;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The server libraries' hook families, by the classes they hook. A service runs one server or none of these, so a
 * family's class is loaded only when a class it hooks loads: what the others would cost at start-up is a class each
 * and their matchers. {@code LibraryFamiliesTest} checks this index against what each family hooks.
 */
final class LibraryFamilies {
    /** Family (simple name, in this package) by the internal name of each class it hooks. */
    private static final Map<String, String> FAMILY_OF_TYPE = new HashMap<>();

    static {
        family("MicronautHooks", "io.micronaut.http.server.netty.NettyRequestLifecycle",
                "io.micronaut.http.server.RouteExecutor", "io.micronaut.http.server.netty.RoutingInBoundHandler",
                "io.micronaut.security.authentication.Authenticator");
        family("UndertowHooks", "io.undertow.server.Connectors", "io.undertow.server.HttpServerExchange",
                "org.xnio.XnioWorker");
        family("HelidonHooks", "io.helidon.webserver.http.HttpRoutingImpl",
                "io.helidon.webserver.http.ErrorHandlers");
        family("VertxHooks", "io.vertx.ext.web.impl.RoutingContextImplBase",
                "io.quarkus.vertx.http.runtime.QuarkusErrorHandler",
                "io.vertx.ext.web.handler.impl.BasicAuthHandlerImpl", "io.vertx.core.impl.TaskQueue",
                "io.vertx.core.impl.EventLoopExecutor", "org.jboss.threads.EnhancedQueueExecutor");
        family("WebFluxHooks", "reactor.netty.http.server.HttpServerOperations",
                "org.springframework.web.server.adapter.HttpWebHandlerAdapter",
                "org.springframework.web.reactive.result.method.InvocableHandlerMethod",
                "org.springframework.web.reactive.function.server.support.HandlerFunctionAdapter",
                "org.springframework.web.server.handler.ExceptionHandlingWebHandler$CheckpointInsertingHandler",
                "org.springframework.security.web.server.authentication.AuthenticationWebFilter",
                "org.springframework.security.web.server.authentication.AnonymousAuthenticationWebFilter",
                "org.springframework.security.web.server.context.WebSessionServerSecurityContextRepository");
        family("GrpcHooks", "io.grpc.internal.ServerCallImpl",
                "io.grpc.internal.ServerImpl$ServerTransportListenerImpl",
                "io.grpc.internal.ServerCallImpl$ServerStreamListenerImpl", "io.grpc.Context");
        family("NettyExecutorHooks", "io.netty.util.concurrent.SingleThreadEventExecutor",
                "io.netty.util.concurrent.AbstractScheduledEventExecutor",
                "io.netty.util.concurrent.ScheduledFutureTask", "io.netty.util.concurrent.GlobalEventExecutor",
                "io.netty.util.concurrent.GlobalEventExecutor$TaskRunner", "io.netty.util.concurrent.DefaultPromise");
        family("KafkaHooks", "org.apache.kafka.clients.consumer.KafkaConsumer");
        family("SpringAmqpHooks", SpringAmqpHooks.BLOCKING_QUEUE_CONSUMER);
        family("NativeUnixSocketHooks", "org.newsclub.net.unix.AFSocketImpl",
                "org.newsclub.net.unix.AFSocketImpl$AFInputStreamImpl",
                "org.newsclub.net.unix.AFSocketImpl$AFOutputStreamImpl", "jnr.unixsocket.UnixSocketChannel",
                "jnr.unixsocket.impl.AbstractNativeSocketChannel");
        family("WebSocketHooks", WebSocketHooks.TOMCAT_UPGRADE_HANDLER, WebSocketHooks.JETTY_FRAME_HANDLER,
                WebSocketHooks.VERTX_REQUEST, WebSocketHooks.VERTX_SERVER_WEB_SOCKET,
                WebSocketHooks.VERTX_WEB_SOCKET_BASE, WebSocketHooks.REACTOR_NETTY_OPERATIONS,
                WebSocketHooks.REACTOR_NETTY_RECEIVE);
        family("NettyNativeSocketHooks", "io.netty.channel.unix.Socket", "io.netty.channel.unix.FileDescriptor",
                "io.netty.channel.epoll.LinuxSocket", "io.netty.channel.kqueue.BsdSocket",
                "io.netty.channel.uring.AbstractIoUringChannel",
                "io.netty.channel.uring.AbstractIoUringChannel$AbstractUringUnsafe");
    }

    private LibraryFamilies() {
    }

    private static void family(String family, String... hookedTypes) {
        for (String type : hookedTypes) {
            FAMILY_OF_TYPE.put(type.replace('.', '/'), family);
        }
    }

    /** The family that hooks the class named {@code internalName}; {@code null} for nearly every class. */
    static String familyOf(String internalName) {
        return FAMILY_OF_TYPE.get(internalName);
    }

    /** The classes the index says {@code family} hooks (internal names), for the test that checks it. */
    static Set<String> hookedBy(String family) {
        Set<String> types = new TreeSet<>();
        for (Map.Entry<String, String> e : FAMILY_OF_TYPE.entrySet()) {
            if (e.getValue().equals(family)) {
                types.add(e.getKey());
            }
        }
        return types;
    }

    /** Every family of the index, by simple name. */
    static Set<String> families() {
        return new TreeSet<>(FAMILY_OF_TYPE.values());
    }

    /** A family of the index, made. */
    static HookFamily load(String family) {
        try {
            return (HookFamily) Class.forName(LibraryFamilies.class.getPackageName() + "." + family)
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no hook family " + family, e);
        }
    }
}
