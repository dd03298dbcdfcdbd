package dev.hostguard.agent.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileDescriptor;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The table of kept runtime connections: by identity, weakly, closed JDK channels dropped, lookups allocate nothing. */
class RuntimeConnectionsTest {

    @Test
    void remembersByIdentityAndForgets() {
        Object a = new String("same");
        Object b = new String("same");  // equal, not the same connection
        assertTrue(RuntimeConnections.none());
        RuntimeConnections.remember(a, "noted a");
        assertFalse(RuntimeConnections.none());
        assertEquals("noted a", RuntimeConnections.noted(a));
        assertNull(RuntimeConnections.noted(b));
        assertNull(RuntimeConnections.noted(null));
        List<Object> many = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Object c = new Object();
            many.add(c);
            RuntimeConnections.remember(c, i);
        }
        for (int i = 0; i < 100; i++) {
            assertEquals(i, RuntimeConnections.noted(many.get(i)));
        }
        assertEquals("noted a", RuntimeConnections.noted(a));
        RuntimeConnections.remember(a, "again");
        assertEquals("again", RuntimeConnections.noted(a), "remembered again: the new note");
        RuntimeConnections.forget(a);
        assertNull(RuntimeConnections.noted(a));
        many.forEach(RuntimeConnections::forget);
        assertTrue(RuntimeConnections.none());
    }

    /** A closed JDK channel's descriptor is invalid (as a new, unopened one is): it goes at the next remember. */
    @Test
    void anInvalidDescriptorIsDroppedAtTheNextRemember() {
        FileDescriptor closed = new FileDescriptor();
        FileDescriptor open = FileDescriptor.in;
        assertFalse(closed.valid());
        assertTrue(open.valid());
        RuntimeConnections.remember(closed, "closed");
        RuntimeConnections.remember(open, "open");
        assertEquals(1, RuntimeConnections.size(), "the closed one went, the open one stayed");
        assertNull(RuntimeConnections.noted(closed));
        assertEquals("open", RuntimeConnections.noted(open));
        RuntimeConnections.forget(open);
    }

    /** A closed channel goes at the next remember; an open one stays. */
    @Test
    void aClosedChannelIsDroppedAtTheNextRemember() throws Exception {
        java.nio.channels.Pipe pipe = java.nio.channels.Pipe.open();
        try (java.nio.channels.Pipe.SourceChannel open = pipe.source()) {
            java.nio.channels.Pipe.SinkChannel closed = pipe.sink();
            RuntimeConnections.remember(closed, "closed");
            RuntimeConnections.remember(open, "open");
            assertEquals(2, RuntimeConnections.size());
            closed.close();
            Object other = new Object();
            RuntimeConnections.remember(other, "other");
            assertEquals(2, RuntimeConnections.size(), "the closed one went, the new one came");
            assertNull(RuntimeConnections.noted(closed));
            assertEquals("open", RuntimeConnections.noted(open));
            RuntimeConnections.forget(open);
            RuntimeConnections.forget(other);
        }
    }

    @Test
    void lookupsAllocateNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Object kept = new Object();
        Object ordinary = new Object();
        RuntimeConnections.remember(kept, "kept");
        int found = 0;
        for (int i = 0; i < 200_000; i++) {  // warm up
            found += RuntimeConnections.noted(ordinary) == null ? 0 : 1;
            found += RuntimeConnections.noted(kept) == null ? 0 : 1;
        }
        long start = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            found += RuntimeConnections.noted(ordinary) == null ? 0 : 1;
            found += RuntimeConnections.noted(kept) == null ? 0 : 1;
        }
        long bytes = threads.getCurrentThreadAllocatedBytes() - start;
        assertEquals(300_000, found);
        assertTrue(bytes < 1_000, bytes + " bytes for 200,000 lookups");
        assertSame("kept", RuntimeConnections.noted(kept));
        RuntimeConnections.forget(kept);
    }
}
