package dev.hostguard.agent.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TraceParentTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT = "00f067aa0ba902b7";

    @Test
    void aValidHeaderGivesItsTraceAndParent() {
        TraceParent parsed = TraceParent.parse("00-" + TRACE + "-" + PARENT + "-01");
        assertEquals(new TraceParent(TRACE, PARENT), parsed);
        assertEquals(new TraceParent(TRACE, PARENT), TraceParent.parse(" 00-" + TRACE + "-" + PARENT + "-00 "));
    }

    @Test
    void aLaterVersionMayAppendFieldsWhichAreIgnored() {
        assertEquals(new TraceParent(TRACE, PARENT), TraceParent.parse("cc-" + TRACE + "-" + PARENT + "-01-what-ever"));
        assertEquals(new TraceParent(TRACE, PARENT), TraceParent.parse("01-" + TRACE + "-" + PARENT + "-01"));
        assertNull(TraceParent.parse("cc-" + TRACE + "-" + PARENT + "-01x"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "00",
        "garbage",
        // version 00 is exactly 55 characters
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        // version ff is invalid
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        // all-zero ids
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        // upper-case hex is not allowed
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
        "0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        // wrong lengths and separators
        "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
        // not hex
        "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0z",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\n{\"forged\":1}"
    })
    void anythingElseIsNoTrace(String header) {
        assertNull(TraceParent.parse(header));
    }

    @Test
    void noHeaderIsNoTrace() {
        assertNull(TraceParent.parse(null));
    }
}
