package dev.hostguard.agent.bootstrap;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The request context of tasks that cannot be wrapped because their identity matters ({@code ForkJoinTask}s are
 * joined, {@code TimerTask}s cancelled): a side table from the task, by identity and weakly (a task nobody runs
 * any more takes its entry with it), to what was captured when it was handed over. Entries exist only for tasks
 * handed over inside requests whose work the handler captures, so while none is handed over the table is empty and
 * {@link #isEmpty()} is all a hook pays.
 */
final class TaskContexts {
    private final ConcurrentHashMap<Object, Object> contexts = new ConcurrentHashMap<>();
    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();

    boolean isEmpty() {
        return contexts.isEmpty();
    }

    void put(Object task, Object context) {
        expungeCollected();
        contexts.put(new WeakKey(task, collected), context);
    }

    /** @return the context of {@code task}, or {@code null} */
    Object get(Object task) {
        return contexts.get(new Lookup(task));
    }

    /** @return the context of {@code task}, which no longer has one; or {@code null} */
    Object remove(Object task) {
        return contexts.remove(new Lookup(task));
    }

    int size() {
        expungeCollected();
        return contexts.size();
    }

    private void expungeCollected() {
        for (Reference<?> gone = collected.poll(); gone != null; gone = collected.poll()) {
            contexts.remove(gone);
        }
    }

    /** How the table holds a task: weakly, equal only to the same task (whatever its own {@code equals} says). */
    private static final class WeakKey extends WeakReference<Object> {
        private final int hash;

        WeakKey(Object task, ReferenceQueue<Object> queue) {
            super(task, queue);
            hash = System.identityHashCode(task);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            if (other == this) {
                return true;
            }
            Object task = get();
            return task != null && (other instanceof WeakKey key && key.get() == task
                    || other instanceof Lookup lookup && lookup.task == task);
        }
    }

    /** A task looked up: never stored, so it holds the task strongly for the length of one call. */
    private static final class Lookup {
        private final Object task;

        Lookup(Object task) {
            this.task = task;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(task);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof WeakKey key && key.get() == task;
        }
    }
}
