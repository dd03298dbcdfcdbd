package dev.hostguard.agent.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A refusal closes the JSR 356 session behind each server's object for it, with 1008 and the event id. */
class WebSocketSessionTest {
    private static final String EVENT_ID = "0b9a4c1e-5d2f-4e7a-9c3b-2f1d6e8a7b90";

    private final List<CloseReason> closes = new ArrayList<>();
    private final Session session = (Session) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {Session.class}, (proxy, method, args) -> {
                if (method.getName().equals("close") && args != null && args.length == 1) {
                    closes.add((CloseReason) args[0]);
                }
                return null;
            });

    /** Tomcat's shape: the upgrade handler holds the session in a private field, set once it is open. */
    static final class UpgradeHandler {
        private final String name = "not a session";
        private Session wsSession;
    }

    /** Jetty's shape: the frame handler's {@code getSession()}. */
    public static final class FrameHandler {
        private final Session session;

        FrameHandler(Session session) {
            this.session = session;
        }

        public Session getSession() {
            return session;
        }
    }

    @Test
    void closesThroughAFieldAGetterOrTheSessionItself() {
        UpgradeHandler tomcat = new UpgradeHandler();
        assertFalse(new WebSocketSession(tomcat).closeRefused(EVENT_ID), "not open yet: nothing to close");
        tomcat.wsSession = session;
        for (Object server : new Object[] {tomcat, new FrameHandler(session), session}) {
            assertTrue(new WebSocketSession(server).closeRefused(EVENT_ID), server.getClass().getSimpleName());
        }
        assertEquals(3, closes.size());
        for (CloseReason reason : closes) {
            assertEquals(CloseReason.CloseCodes.VIOLATED_POLICY, reason.getCloseCode());
            assertEquals("blocked by HostGuard: event " + EVENT_ID, reason.getReasonPhrase());
            assertTrue(reason.getReasonPhrase().getBytes(StandardCharsets.UTF_8).length <= 123,
                    "a close frame's reason holds 123 bytes");
        }
    }

    @Test
    void anObjectWithNoSessionBehindItIsOurBugNotASilentSuccess() {
        assertThrows(IllegalStateException.class, () -> new WebSocketSession(new Object()).closeRefused(EVENT_ID));
    }
}
