package dev.hostguard.agent.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskContextsTest {

    /** Equal to every other instance: the table must still tell tasks apart. */
    private static final class EqualToAll {
        @Override
        public boolean equals(Object other) {
            return other instanceof EqualToAll;
        }

        @Override
        public int hashCode() {
            return 1;
        }
    }

    @Test
    void tasksAreKeptByIdentityNotByEquals() {
        TaskContexts table = new TaskContexts();
        assertTrue(table.isEmpty());
        Object first = new EqualToAll();
        Object second = new EqualToAll();
        table.put(first, "a");
        assertFalse(table.isEmpty());
        assertNull(table.get(second));
        assertEquals("a", table.get(first));
        assertNull(table.remove(second));
        assertEquals("a", table.remove(first));
        assertTrue(table.isEmpty());
    }

    @Test
    void aTaskNobodyHoldsTakesItsEntryWithIt() throws InterruptedException {
        TaskContexts table = new TaskContexts();
        Object kept = new Object();
        table.put(kept, "kept");
        for (int i = 0; i < 100; i++) {
            table.put(new Object(), "dropped");
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<byte[]> pressure = new ArrayList<>();
        while (table.size() > 1 && System.nanoTime() < deadline) {
            pressure.add(new byte[1 << 16]);
            if (pressure.size() > 64) {
                pressure.clear();
            }
            System.gc();
            Thread.sleep(10); // lets the reference handler enqueue what the collector cleared
        }
        assertEquals(1, table.size(), "entries of collected tasks are expunged");
        assertEquals("kept", table.get(kept));
    }
}
