package dev.hostguard.agent.bootstrap;

import java.io.FileDescriptor;
import java.lang.ref.WeakReference;
import java.nio.channels.Channel;

/**
 * Connections to a container runtime's API that are open now, remembered where they were connected (whoever
 * connected them: a user's request, start-up code, a pool) so that their later use inside a guarded request is
 * judged too: by identity and weakly, each with what the handler noted about it (the socket path, the rule).
 *
 * <p>The key is whatever object stands for the connection for its whole life and is at hand where its bytes go:
 * the JDK's socket object itself ({@code SocketChannelImpl}, {@code NioSocketImpl}, an asynchronous channel: never
 * reused for another connection, even when its descriptor number is); a library's own socket object for the native
 * clients.
 *
 * <p>Lookups are what every socket read and write of the JVM pays once a runtime connection was made, so they
 * allocate nothing and take no lock: an open-addressing table of weak references, replaced as a whole (copy on
 * write) by the rare {@link #remember}, which also drops the connections closed or collected since. While no runtime
 * connection was ever made, {@link #none()} is one static read.
 */
public final class RuntimeConnections {
    /** A table with no connection; {@link #none()} compares with it. */
    private static final Table EMPTY = new Table(new WeakReference<?>[0], new Object[0], 0);
    private static volatile Table table = EMPTY;

    private RuntimeConnections() {
    }

    /** Whether no runtime connection is remembered (the first test of every socket read and write). */
    public static boolean none() {
        return table == EMPTY;
    }

    /**
     * Remembers {@code connection} as a connection to a container runtime's API, with {@code noted} (what the
     * handler judges its use by). The one entry point for every kind of runtime connection: the JDK's sockets to a
     * runtime's Unix socket or to a guarded TCP endpoint, and native clients' sockets.
     */
    public static synchronized void remember(Object connection, Object noted) {
        if (connection == null || noted == null) {
            return;
        }
        Table old = table;
        int live = 1;
        for (WeakReference<?> ref : old.keys) {
            if (ref != null && kept(ref.get(), connection)) {
                live++;
            }
        }
        int capacity = 8;
        while (capacity < live * 3) {
            capacity <<= 1;
        }
        WeakReference<?>[] keys = new WeakReference<?>[capacity];
        Object[] values = new Object[capacity];
        int size = 0;
        for (int i = 0; i < old.keys.length; i++) {
            WeakReference<?> ref = old.keys[i];
            Object key = ref == null ? null : ref.get();
            if (kept(key, connection)) {
                put(keys, values, ref, key, old.values[i]);
                size++;
            }
        }
        put(keys, values, new WeakReference<>(connection), connection, noted);
        table = new Table(keys, values, size + 1);
    }

    /** Forgets {@code connection} (tests; a closed connection is simply never used again). */
    static synchronized void forget(Object connection) {
        Table old = table;
        table = EMPTY;
        for (int i = 0; i < old.keys.length; i++) {
            WeakReference<?> ref = old.keys[i];
            Object key = ref == null ? null : ref.get();
            if (key != null && key != connection) {
                remember(key, old.values[i]);
            }
        }
    }

    /**
     * @return what was noted when {@code connection} was remembered; {@code null} for any other connection. No
     *         allocation, no lock.
     */
    public static Object noted(Object connection) {
        Table t = table;
        WeakReference<?>[] keys = t.keys;
        if (keys.length == 0 || connection == null) {
            return null;
        }
        int mask = keys.length - 1;
        for (int i = System.identityHashCode(connection) & mask;; i = (i + 1) & mask) {
            WeakReference<?> ref = keys[i];
            if (ref == null) {
                return null;
            }
            if (ref.get() == connection) {
                return t.values[i];
            }
        }
    }

    /**
     * Whether {@code key} stays in the table that {@code connection} is added to: not collected, not that
     * connection, and not closed (a channel, or a {@code FileDescriptor}, that says so), so the table holds the
     * connections open now, not every one made since the last collection.
     */
    private static boolean kept(Object key, Object connection) {
        return key != null && key != connection && !(key instanceof FileDescriptor fd && !fd.valid())
                && !(key instanceof Channel channel && !channel.isOpen());
    }

    /** How many connections are remembered, those collected but not yet dropped included (tests). */
    static int size() {
        return table.size;
    }

    private static void put(WeakReference<?>[] keys, Object[] values, WeakReference<?> ref, Object key, Object value) {
        int mask = keys.length - 1;
        int i = System.identityHashCode(key) & mask;
        while (keys[i] != null) {
            i = (i + 1) & mask;
        }
        keys[i] = ref;
        values[i] = value;
    }

    /** One immutable generation of the table: at most a third full, so a probe ends at an empty slot. */
    private record Table(WeakReference<?>[] keys, Object[] values, int size) {
    }
}
