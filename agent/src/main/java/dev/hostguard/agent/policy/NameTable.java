package dev.hostguard.agent.policy;

/**
 * A hash table from names to values that is searched with a region of a longer string, so a path's components
 * are looked up where they stand: no substring, no allocation. Open addressing with linear probing; filled
 * while rules are compiled, only read afterwards (safe to share once published through a final field).
 */
final class NameTable<V> {
    private String[] keys = new String[8];
    private Object[] values = new Object[8];
    private int size;

    void put(String key, V value) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        int slot = spread(key.hashCode()) & mask;
        while (keys[slot] != null) {
            if (keys[slot].equals(key)) {
                values[slot] = value;
                return;
            }
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        values[slot] = value;
        size++;
    }

    /** The value stored under {@code s[from, to)}, or {@code null}. */
    @SuppressWarnings("unchecked")
    V get(String s, int from, int to) {
        if (size == 0) {
            return null;
        }
        int length = to - from;
        int hash = 0;
        for (int i = from; i < to; i++) {
            hash = 31 * hash + s.charAt(i); // String.hashCode over the region
        }
        int mask = keys.length - 1;
        int slot = spread(hash) & mask;
        for (String key = keys[slot]; key != null; key = keys[slot]) {
            if (key.length() == length && key.regionMatches(0, s, from, length)) {
                return (V) values[slot];
            }
            slot = (slot + 1) & mask;
        }
        return null;
    }

    V get(String key) {
        return get(key, 0, key.length());
    }

    int size() {
        return size;
    }

    /** The key in slot {@code i} (of {@link #capacity()}), or {@code null} for an empty slot. */
    String keyAt(int i) {
        return keys[i];
    }

    @SuppressWarnings("unchecked")
    V valueAt(int i) {
        return (V) values[i];
    }

    int capacity() {
        return keys.length;
    }

    private void grow() {
        String[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new String[oldKeys.length * 2];
        values = new Object[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != null) {
                @SuppressWarnings("unchecked")
                V value = (V) oldValues[i];
                put(oldKeys[i], value);
            }
        }
    }

    private static int spread(int hash) {
        return hash ^ (hash >>> 16);
    }
}
