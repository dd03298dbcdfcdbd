package dev.hostguard.agent.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class UndertowApiTest {

    @Test
    void anOriginFormRequestUriIsThePath() {
        assertEquals("/key/exec", UndertowApi.pathOf("/key/exec", false));
        assertEquals("/a%20b", UndertowApi.pathOf("/a%20b", false));
        assertNull(UndertowApi.pathOf(null, false));
    }

    @Test
    void anAbsoluteFormRequestUriLosesSchemeAndHost() {
        assertEquals("/key/exec", UndertowApi.pathOf("http://example.test:8080/key/exec", true));
        assertEquals("/", UndertowApi.pathOf("http://example.test", true));
        assertEquals("/a%2Fb", UndertowApi.pathOf("https://h/a%2Fb", true));
    }

    @Test
    void onlyUndertowsExchangeIsAnUndertowRequest() {
        assertNull(UndertowApi.of(String.class));
        assertNull(HelidonApi.of(String.class));
    }
}
