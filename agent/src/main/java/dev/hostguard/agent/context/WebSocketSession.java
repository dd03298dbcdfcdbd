package dev.hostguard.agent.context;

import java.lang.ref.WeakReference;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * A WebSocket session opened by a guarded handshake, as the server's own object for it (Tomcat's
 * {@code WsHttpUpgradeHandler}, Jetty's {@code JakartaWebSocketFrameHandler}), held weakly: the snapshot that holds
 * this is the value of a table keyed weakly by that same object. A refusal in its messages closes it with 1008
 * (policy violation) and the event id, through the JSR 356 {@code Session.close(CloseReason)} found by
 * reflection (the API lives in the server's class loader), once per server class; a Vert.x WebSocket through its
 * {@code WebSocketBase.close(short, String)}, Reactor Netty's {@code WebsocketServerOperations} through its
 * {@code WebsocketOutbound.sendClose(int, String)}, subscribed. Vert.x makes its WebSocket after the handshake
 * request, from it: the session then moves to it ({@link #accepted}).
 */
public final class WebSocketSession {
    private static final ClassValue<Closer> CLOSERS = new ClassValue<>() {
        @Override
        protected Closer computeValue(Class<?> type) {
            return Closer.of(type);
        }
    };

    private static final String VERTX_WEB_SOCKET = "io.vertx.core.http.WebSocketBase";
    private static final short VIOLATED_POLICY = 1008;

    private volatile WeakReference<Object> server;

    public WebSocketSession(Object server) {
        this.server = new WeakReference<>(server);
    }

    /** The server made the session's own object from the handshake's: refusals close it from now on. */
    public void accepted(Object session) {
        server = new WeakReference<>(session);
    }

    /**
     * Closes the session with 1008 and {@code blocked by HostGuard: event <id>} (a close reason holds 123 bytes:
     * the id fits). A session not open yet (its handshake still running) or gone is left alone.
     *
     * @return whether a close was asked of the server
     * @throws IllegalStateException when the server's object leads to no JSR 356 session, nor is a Vert.x one
     */
    public boolean closeRefused(String eventId) {
        Object object = server.get();
        if (object == null) {
            return false;
        }
        Closer closer = CLOSERS.get(object.getClass());
        if (closer == null) {
            throw new IllegalStateException("no JSR 356 or Reactor Netty session behind " + object.getClass().getName());
        }
        return closer.close(object, "blocked by HostGuard: event " + eventId);
    }

    /** How to reach and close the JSR 356 session behind one server class. */
    private static final class Closer {
        /** {@code getSession()}, or {@code null}: the session is read from {@link #field}. */
        private final Method getter;
        private final Field field;
        private final Method close;
        private final Constructor<?> reason;
        private final Object violatedPolicy;
        /** Vert.x's {@code close(short, String)}; else null. */
        private final Method vertxClose;
        /** Reactor Netty's {@code sendClose(int, String)} and its {@code Mono}'s {@code subscribe()}; else null. */
        private final Method sendClose;
        private final Method subscribe;

        /** A closer that calls the server's own close method: Vert.x's, or Reactor Netty's (then subscribed). */
        private Closer(Method vertxClose, Method sendClose) throws NoSuchMethodException {
            this.getter = null;
            this.field = null;
            this.close = null;
            this.reason = null;
            this.violatedPolicy = null;
            this.vertxClose = vertxClose;
            this.sendClose = sendClose;
            this.subscribe = sendClose == null ? null : sendClose.getReturnType().getMethod("subscribe");
        }

        private Closer(Method getter, Field field, Class<?> sessionApi, String base) throws ReflectiveOperationException {
            this.getter = getter;
            this.field = field;
            ClassLoader loader = sessionApi.getClassLoader();
            Class<?> closeReason = Class.forName(base + ".CloseReason", false, loader);
            Class<?> closeCode = Class.forName(base + ".CloseReason$CloseCode", false, loader);
            Class<?> closeCodes = Class.forName(base + ".CloseReason$CloseCodes", false, loader);
            this.close = sessionApi.getMethod("close", closeReason);
            this.reason = closeReason.getConstructor(closeCode, String.class);
            this.violatedPolicy = closeCodes.getField("VIOLATED_POLICY").get(null);
            this.vertxClose = null;
            this.sendClose = null;
            this.subscribe = null;
        }

        /** @return the way to the session of {@code type}'s objects; {@code null} when there is none */
        static Closer of(Class<?> type) {
            try {
                Class<?> vertx = Types.findSuperType(type, VERTX_WEB_SOCKET);
                if (vertx != null) {
                    return new Closer(vertx.getMethod("close", short.class, String.class), null);
                }
                Class<?> outbound = Types.findSuperType(type, "reactor.netty.http.websocket.WebsocketOutbound");
                if (outbound != null) { // through the public interface: the operations class is package-private
                    return new Closer(null, outbound.getMethod("sendClose", int.class, String.class));
                }
                for (String base : new String[] {"jakarta.websocket", "javax.websocket"}) {
                    String name = base + ".Session";
                    Class<?> api = Types.findSuperType(type, name);
                    if (api != null) { // the session itself
                        return new Closer(null, null, api, base);
                    }
                    Method getter = publicGetter(type);
                    if (getter != null && (api = Types.findSuperType(getter.getReturnType(), name)) != null) {
                        return new Closer(getter, null, api, base);
                    }
                    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                        for (Field f : c.getDeclaredFields()) {
                            if (!Modifier.isStatic(f.getModifiers())
                                    && (api = Types.findSuperType(f.getType(), name)) != null) {
                                f.setAccessible(true);
                                return new Closer(null, f, api, base);
                            }
                        }
                    }
                }
                return null;
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return null;
            }
        }

        private static Method publicGetter(Class<?> type) {
            try {
                return type.getMethod("getSession");
            } catch (NoSuchMethodException e) {
                return null;
            }
        }

        boolean close(Object server, String text) {
            if (vertxClose != null) {
                Types.call(vertxClose, server, VIOLATED_POLICY, text);
                return true;
            }
            if (sendClose != null) {
                Types.call(subscribe, Types.call(sendClose, server, 1008, text));
                return true;
            }
            Object session = getter != null ? Types.call(getter, server)
                    : field != null ? read(server) : server;
            if (session == null) {
                return false;
            }
            try {
                Types.call(close, session, reason.newInstance(violatedPolicy, text));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("CloseReason of " + reason.getDeclaringClass().getName(), e);
            }
            return true;
        }

        private Object read(Object server) {
            try {
                return field.get(server);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
