package dev.hostguard.agent.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestIdsTest {

    @ParameterizedTest
    @ValueSource(strings = {"f81d4fae-7dec-11d0-a765-00a0c91e6bf6", "req_42", "Root=1-67891233-abcdef012345678912345678",
        "a.b:c/d+e=f@g", "x"})
    void idsAreKeptAsTheyAre(String id) {
        assertEquals(id, RequestIds.clean(id));
    }

    @Test
    void surroundingBlanksAreStripped() {
        assertEquals("abc-1", RequestIds.clean("  abc-1\t"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "two words", "a\nb", "a\"b", "<script>", "id;drop", "caf\u00e9", "a\u2028b",
        "{\"forged\":true}", "50%"})
    void anythingButAnIdIsLeftOutWhole(String value) {
        assertNull(RequestIds.clean(value));
    }

    @Test
    void anIdLongerThanTheCapIsLeftOutNotCut() {
        String longest = "a".repeat(RequestIds.MAX_LENGTH);
        assertEquals(longest, RequestIds.clean(longest));
        assertNull(RequestIds.clean(longest + "b"));
        assertNull(RequestIds.clean(null));
    }

    @Test
    void theHeaderNameMustBeAnHttpToken() {
        assertNull(RequestIds.headerNameProblem("X-Request-Id"));
        assertNull(RequestIds.headerNameProblem("x-correlation-id"));
        assertEquals("' ' at position 2 is not allowed in an HTTP header name", RequestIds.headerNameProblem("X Id"));
        assertEquals("':' at position 7 is not allowed in an HTTP header name", RequestIds.headerNameProblem("X-Id-1:"));
        assertEquals("expected an HTTP header name of 1 to 64 characters", RequestIds.headerNameProblem(""));
        assertEquals("expected an HTTP header name of 1 to 64 characters",
                RequestIds.headerNameProblem("X".repeat(65)));
    }
}
