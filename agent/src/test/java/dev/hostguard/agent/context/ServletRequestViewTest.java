package dev.hostguard.agent.context;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The guard's own answer through the servlet API: what it calls on the response, for every response class. */
class ServletRequestViewTest {
    private static final byte[] BODY = "{\"blocked\":true}".getBytes(StandardCharsets.UTF_8);
    private final Object request = Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> null);

    /** A response that records the calls made on it; {@code extra} makes its class another one. */
    private static final class Recorded {
        final List<String> calls = new ArrayList<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        final Object response;

        Recorded(boolean committed, Class<?>... extra) {
            Class<?>[] types = new Class<?>[extra.length + 1];
            types[0] = HttpServletResponse.class;
            System.arraycopy(extra, 0, types, 1, extra.length);
            response = Proxy.newProxyInstance(ServletRequestViewTest.class.getClassLoader(), types,
                    (proxy, method, args) -> {
                        calls.add(method.getName() + (args == null ? "" : List.of(args).toString()));
                        return switch (method.getName()) {
                            case "isCommitted" -> committed;
                            case "getOutputStream" -> new ServletOutputStream() {
                                @Override
                                public boolean isReady() {
                                    return true;
                                }

                                @Override
                                public void setWriteListener(WriteListener listener) {
                                }

                                @Override
                                public void write(int b) {
                                    body.write(b);
                                }
                            };
                            default -> null;
                        };
                    });
        }
    }

    private RequestView view(Object response) {
        return RequestViews.of(request, response);
    }

    @Test
    void answersEveryResponseOfOneClassAndOfAnotherTheSameWay() throws Exception {
        ServletApi api = ServletApi.of(request.getClass());
        List<Recorded> responses = List.of(new Recorded(false), new Recorded(false),
                new Recorded(false, Runnable.class), new Recorded(false));
        for (Recorded r : responses) {
            assertTrue(view(r.response).respond(403, "application/json", BODY));
            assertEquals(List.of("isCommitted", "reset", "setStatus[403]", "setContentType[application/json]",
                    "setContentLength[" + BODY.length + "]", "getOutputStream"), r.calls);
            assertArrayEquals(BODY, r.body.toByteArray());
            assertSame(r.response.getClass(), api.responseMethods(r.response).type);
        }
        Recorded first = responses.get(0);
        assertSame(api.responseMethods(first.response), api.responseMethods(first.response),
                "found once for a response class");
    }

    @Test
    void aCommittedResponseIsLeftAlone() throws Exception {
        Recorded committed = new Recorded(true);
        assertFalse(view(committed.response).respond(403, "application/json", BODY));
        assertEquals(List.of("isCommitted"), committed.calls);
        assertEquals(0, committed.body.size());
    }

    @Test
    void aResponseThatIsNoHttpServletResponseGetsNoAnswer() throws Exception {
        Object notHttp = Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Runnable.class},
                (proxy, method, args) -> null);
        assertFalse(view(notHttp).respond(403, "application/json", BODY));
    }
}
