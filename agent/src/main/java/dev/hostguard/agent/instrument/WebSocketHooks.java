package dev.hostguard.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.hostguard.agent.bootstrap.Hooks;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * JSR 356 WebSocket sessions carry their handshake. The server's object for a session is made inside the upgrade
 * request, where the handshake is classified and snapshot ({@code Hooks.webSocketUpgraded}); everything the server
 * later hands the session's endpoint (its opening, each frame and so each message, errors, the close) runs on a
 * connection thread outside any request and works for that snapshot ({@code Hooks.webSocketMessageStarts}).
 * <ul>
 *   <li>Tomcat ({@code tomcat-embed-websocket} 10.1 and 11; 9's javax classes have the same names and shapes):
 *       {@code WsFilter} (and Spring's {@code TomcatRequestUpgradeStrategy}, through
 *       {@code WsServerContainer.upgradeHttpToWebSocket}) upgrades in {@code UpgradeUtil.doUpgrade}, which makes the
 *       {@code WsHttpUpgradeHandler} and calls its {@code preInit} inside the request; the session is made in its
 *       {@code init} (the endpoint's {@code onOpen}), and every read of the connection, frames and messages and the
 *       endpoint's {@code onMessage}, {@code onError}, {@code onClose}, goes through its {@code upgradeDispatch}.</li>
 *   <li>Jetty 12 ee10 ({@code jetty-ee10-websocket-jakarta-server}): {@code WebSocketUpgradeFilter} negotiates inside
 *       the request, where the factory makes the {@code JakartaWebSocketFrameHandler}; the core session calls its
 *       {@code onOpen}, {@code onFrame} (the message sinks call the endpoint from there), {@code onError} and
 *       {@code onClosed}.</li>
 *   <li>Vert.x 5 ({@code HttpServerRequest.toWebSocket()} in a route's handler): the handshake is taken in
 *       {@code Http1xServerRequest.webSocketHandshake()}, inside the request; the {@code ServerWebSocketImpl} is made
 *       later, on the event loop, from that request ({@code Hooks.webSocketAccepted} moves the snapshot to it); its
 *       frames reach the app's handlers in {@code WebSocketImplBase.receiveFrame}, its errors in
 *       {@code handleException}, its end in {@code handleClose}.</li>
 *   <li>Spring WebFlux on Reactor Netty 1.2 ({@code ReactorNettyRequestUpgradeStrategy}): Reactor Netty replaces the
 *       request's {@code HttpServerOperations} by a {@code WebsocketServerOperations} made of it (its constructor's
 *       {@code initHandshaker(url, spec, replaced)}, entered before it writes the handshake's answer), on whatever
 *       thread the WebFlux chain reached the upgrade (a Reactor
 *       scheduler's, after Spring Security's hand-overs): the handshake is the replaced request, entered there while
 *       it is classified; every inbound frame goes through the new object's {@code onInboundNext}, on the event loop.
 *       The session's inbound {@code Flux} (the application's {@code WebSocketHandler} callbacks) is its
 *       {@code FluxReceive}, which hands each signal to the handler either inside {@code onInboundNext} or, for
 *       frames that came before the handler asked for them, from {@code drainReceiver} (in a task the handler's
 *       subscription or demand gave the event loop: that task works for whoever gave it, the handshake's thread),
 *       and its end from {@code onInboundComplete}, {@code onInboundError}, {@code startReceiver} (a handler that
 *       subscribes late) and {@code disposeAndUnsubscribeReceiver}: each of these works for the session of its
 *       {@code parent}. HTTP/2 WebSockets ({@code Http2WebsocketServerOperations}) are not hooked.</li>
 * </ul>
 */
final class WebSocketHooks implements HookFamily {
    static final String TOMCAT_UPGRADE_HANDLER = "org.apache.tomcat.websocket.server.WsHttpUpgradeHandler";
    static final String JETTY_FRAME_HANDLER = "org.eclipse.jetty.ee10.websocket.jakarta.common.JakartaWebSocketFrameHandler";
    static final String VERTX_REQUEST = "io.vertx.core.http.impl.Http1xServerRequest";
    static final String VERTX_SERVER_WEB_SOCKET = "io.vertx.core.http.impl.ServerWebSocketImpl";
    static final String VERTX_WEB_SOCKET_BASE = "io.vertx.core.http.impl.WebSocketImplBase";
    static final String REACTOR_NETTY_OPERATIONS = "reactor.netty.http.server.WebsocketServerOperations";
    static final String REACTOR_NETTY_RECEIVE = "reactor.netty.channel.FluxReceive";
    private static final String JETTY_CALLBACK = "org.eclipse.jetty.util.Callback";

    @Override
    public String name() {
        return "websocket";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(
                HookTarget.library(TOMCAT_UPGRADE_HANDLER,
                        new HookSite("WsHttpUpgradeHandler.preInit", "preInit", takesArguments(8),
                                advice("UpgradeAdvice"), false),
                        new HookSite("WsHttpUpgradeHandler.init", "init", takesArguments(1)
                                .and(takesArgument(0, namedOneOf("jakarta.servlet.http.WebConnection",
                                        "javax.servlet.http.WebConnection"))),
                                advice("MessageAdvice"), false),
                        new HookSite("WsHttpUpgradeHandler.upgradeDispatch", "upgradeDispatch", takesArguments(1)
                                .and(takesArgument(0, named("org.apache.tomcat.util.net.SocketEvent"))),
                                advice("MessageAdvice"), false)),
                HookTarget.library(JETTY_FRAME_HANDLER,
                        new HookSite("JakartaWebSocketFrameHandler.<init>", HookSite.CONSTRUCTOR, takesArgument(1,
                                named("org.eclipse.jetty.ee10.websocket.jakarta.common.UpgradeRequest")),
                                advice("UpgradeAdvice"), false),
                        jetty("onOpen", "org.eclipse.jetty.websocket.core.CoreSession"),
                        jetty("onFrame", "org.eclipse.jetty.websocket.core.Frame"),
                        jetty("onError", Throwable.class.getName()),
                        jetty("onClosed", "org.eclipse.jetty.websocket.core.CloseStatus")),
                HookTarget.library(VERTX_REQUEST,
                        new HookSite("Http1xServerRequest.webSocketHandshake", "webSocketHandshake",
                                takesArguments(0), advice("UpgradeAdvice"), false)),
                HookTarget.library(VERTX_SERVER_WEB_SOCKET,
                        new HookSite("ServerWebSocketImpl.<init>", HookSite.CONSTRUCTOR,
                                takesArgument(3, named(VERTX_REQUEST)), advice("AcceptedAdvice"), false)),
                HookTarget.library(VERTX_WEB_SOCKET_BASE,
                        new HookSite("WebSocketImplBase.receiveFrame", "receiveFrame", takesArguments(1)
                                .and(takesArgument(0, named("io.vertx.core.http.impl.ws.WebSocketFrameInternal"))),
                                advice("MessageAdvice"), false),
                        new HookSite("WebSocketImplBase.handleException", "handleException", takesArguments(1)
                                .and(takesArgument(0, named(Throwable.class.getName()))),
                                advice("MessageAdvice"), false),
                        new HookSite("WebSocketImplBase.handleClose", "handleClose", takesArguments(0),
                                advice("MessageAdvice"), false)),
                HookTarget.library(REACTOR_NETTY_OPERATIONS,
                        new HookSite("WebsocketServerOperations.initHandshaker", "initHandshaker", takesArguments(3)
                                .and(takesArgument(2, named("reactor.netty.http.server.HttpServerOperations"))),
                                advice("ReplacedRequestAdvice"), false),
                        new HookSite("WebsocketServerOperations.onInboundNext", "onInboundNext", takesArguments(2),
                                advice("MessageAdvice"), false)),
                HookTarget.library(REACTOR_NETTY_RECEIVE,
                        receiver("drainReceiver", 0), receiver("onInboundNext", 1),
                        receiver("onInboundComplete", 0), receiver("onInboundError", 1),
                        receiver("startReceiver", 1), receiver("disposeAndUnsubscribeReceiver", 0)));
    }

    /** A {@code FluxReceive} method that hands its receiver (a WebSocket handler's inbound) a signal. */
    private HookSite receiver(String method, int arguments) {
        return new HookSite("FluxReceive." + method, method, takesArguments(arguments),
                advice("ReceiverSignalAdvice"), false);
    }

    /** A {@code FrameHandler} method of Jetty's, {@code (first, Callback)}. */
    private HookSite jetty(String method, String first) {
        return new HookSite("JakartaWebSocketFrameHandler." + method, method, takesArguments(2)
                .and(takesArgument(0, named(first))).and(takesArgument(1, named(JETTY_CALLBACK))),
                advice("MessageAdvice"), false);
    }

    /** Inside the upgrade request: the server's object for the session (this) will work for the handshake. */
    static final class UpgradeAdvice {
        private UpgradeAdvice() {
        }

        @Advice.OnMethodExit
        static void exit(@Advice.This Object session) {
            Hooks.webSocketUpgraded(session);
        }
    }

    /** Vert.x: the session made from the handshake request (argument 3) works for that request's snapshot. */
    static final class AcceptedAdvice {
        private AcceptedAdvice() {
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Argument(3) Object handshake, @Advice.This Object session) {
            Hooks.webSocketAccepted(handshake, session);
        }
    }

    /**
     * A server's object for the session, made of the handshake's request (the last argument), which it replaces:
     * before it writes the handshake's answer, after which the client's frames may arrive on the event loop while
     * this thread (maybe another) is still here.
     */
    static final class ReplacedRequestAdvice {
        private ReplacedRequestAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object session, @Advice.Argument(2) Object handshake) {
            Hooks.webSocketReplaced(handshake, session);
        }
    }

    /**
     * Reactor Netty's inbound hands the handler a signal: it works for the handshake of the session that owns it
     * ({@code parent}, the {@code WebsocketServerOperations}; any other operations, an HTTP request's, have none).
     */
    static final class ReceiverSignalAdvice {
        private ReceiverSignalAdvice() {
        }

        @Advice.OnMethodEnter
        static Object enter(@Advice.FieldValue("parent") Object session) {
            return Hooks.webSocketMessageStarts(session);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object token) {
            Hooks.taskEnded(token);
        }
    }

    /** The server hands the session's endpoint work: it works for the handshake, until it returns. */
    static final class MessageAdvice {
        private MessageAdvice() {
        }

        @Advice.OnMethodEnter
        static Object enter(@Advice.This Object session) {
            return Hooks.webSocketMessageStarts(session);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object token) {
            Hooks.taskEnded(token);
        }
    }
}
