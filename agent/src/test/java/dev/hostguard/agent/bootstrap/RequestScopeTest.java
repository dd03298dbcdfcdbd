package dev.hostguard.agent.bootstrap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestScopeTest {
    private final RequestScope scope = new RequestScope();

    @Test
    void nestedEntriesSeeTheInnermostRequestAndRestoreTheOuter() {
        Object outer = scope.enter("raw", "response");
        assertTrue(scope.active());
        Object inner = scope.enter("wrapped", "wrapped-response");
        assertEquals("wrapped", scope.request());
        assertEquals("response", scope.response());
        assertTrue(scope.exit(inner));
        assertTrue(scope.active());
        assertEquals("raw", scope.request());
        assertTrue(scope.exit(outer));
        assertFalse(scope.active());
    }

    @Test
    void onlyTheOutermostTokenEndsTheRequest() {
        Object outer = scope.enter("raw", "response");
        assertFalse(scope.exit("forged"));
        assertTrue(scope.active());
        assertFalse(scope.exit(null));
        assertTrue(scope.exit(outer));
        assertFalse(scope.active());
        assertFalse(scope.exit(outer), "nothing to end any more");
    }

    @Test
    void theOutermostExitEndsEntriesMadeInsideAndNeverLeft() {
        Object outer = scope.enter("raw", "response");
        scope.enter("forged by hand", null); // never left
        scope.enter("and again", null);
        assertEquals("and again", scope.request());
        assertTrue(scope.exit(outer));
        assertEquals("raw", scope.request(), "the outermost exit answers the server's request");
        assertFalse(scope.active(), "the request ended with its outermost entry");
        Object next = scope.enter("next request", "its response");
        assertSame(scope, next, "the next request is an outermost entry, not nested in the forged one");
        assertEquals("next request", scope.request());
        assertTrue(scope.exit(next));
        assertFalse(scope.active());
    }

    @Test
    void clearForgetsTheRequest() {
        scope.enter("raw", "response");
        scope.recordBlock(new HostGuardBlockedException("m", "r", "e"));
        scope.clear();
        assertNull(scope.request());
        assertNull(scope.blocked());
    }

    @Test
    void theFirstBlockOfARequestIsKept() {
        scope.enter("raw", "response");
        HostGuardBlockedException first = new HostGuardBlockedException("m", "r1", "e1");
        scope.recordBlock(first);
        scope.recordBlock(new HostGuardBlockedException("m", "r2", "e2"));
        assertSame(first, scope.blocked());
    }

    /** A container thread ran refused {@code AsyncContext.start} work, then serves a request of its own. */
    @Test
    void aRefusalInHandedOverWorkIsNotTheNextRequests() {
        scope.propagate("captured request");
        scope.recordBlock(new HostGuardBlockedException("m", "r", "in handed-over work"));
        scope.propagate(null);
        scope.enter("next", "response");
        assertNull(scope.blocked(), "the next request refused nothing");
        HostGuardBlockedException own = new HostGuardBlockedException("m", "r", "own");
        scope.recordBlock(own);
        assertSame(own, scope.blocked());
    }

    @Test
    void decodesTheConstructorsByteBlocks() {
        byte[] prog = "touch\0".getBytes(StandardCharsets.UTF_8);
        byte[] args = "/tmp/a b\0-c\0".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(new String[] {"touch", "/tmp/a b", "-c"}, Hooks.commandOf(prog, args));
        assertArrayEquals(new String[] {"true"}, Hooks.commandOf("true\0".getBytes(StandardCharsets.UTF_8), null));
    }
}
