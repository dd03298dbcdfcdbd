package dev.hostguard.agent.policy;

/**
 * A path-style glob: {@code *} any characters within one {@code /}-separated segment, {@code **} any characters
 * across segments, {@code ?} one character other than {@code /}; everything else literal. A pattern ending in
 * {@code /**} also matches the directory itself; the empty pattern matches only the empty string (a command's
 * empty argument). Hand-written rather than a regular expression: a policy author
 * must not have to think about regex metacharacters, and matching takes linear time in the input (see
 * {@link #simulate}). Matched only after a rule matched.
 */
public final class Glob {
    private final String pattern;
    private final String written;
    private volatile int[] compiled;

    public Glob(String pattern) {
        this(pattern, pattern);
    }

    /**
     * @param pattern what is matched
     * @param written how the policy spelled it, for people (e.g. {@code /proc/self/stat} for {@code /proc/42/stat})
     */
    public Glob(String pattern, String written) {
        if (pattern == null) {
            throw new IllegalArgumentException("no glob");
        }
        this.pattern = pattern;
        this.written = written;
    }

    public String pattern() {
        return pattern;
    }

    /** As the policy wrote it. */
    public String written() {
        return written;
    }

    /** Whether the pattern holds any wildcard. */
    public boolean isLiteral() {
        return pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0;
    }

    public boolean matches(String s) {
        if (s == null) {
            return false;
        }
        if (pattern.endsWith("/**") && s.equals(pattern.substring(0, pattern.length() - 3))) {
            return true;
        }
        return simulate(s);
    }

    /**
     * Runs the pattern as a small automaton over {@code s}: the set of pattern positions reachable so far, one
     * step per character. Time is at most characters × pattern length, whatever the input: the strings matched
     * here (command arguments, request paths) come from the request, and a backtracking matcher would let a long
     * argument against a pattern with several stars take exponential time.
     */
    private boolean simulate(String s) {
        int[] tokens = tokens();
        int k = tokens.length;
        boolean[] active = new boolean[k + 1];
        boolean[] next = new boolean[k + 1];
        active[0] = true;
        close(tokens, active);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            java.util.Arrays.fill(next, false);
            boolean any = false;
            for (int state = 0; state < k; state++) {
                if (!active[state]) {
                    continue;
                }
                int token = tokens[state];
                if (token == STAR && c != '/' || token == GLOBSTAR) {
                    next[state] = true;
                    any = true;
                } else if (token == ONE && c != '/' || token == c) {
                    next[state + 1] = true;
                    any = true;
                }
            }
            if (!any) {
                return false;
            }
            close(tokens, next);
            boolean[] swap = active;
            active = next;
            next = swap;
        }
        return active[k];
    }

    /** A star may match nothing: a position before one reaches the position after it. */
    private static void close(int[] tokens, boolean[] states) {
        for (int state = 0; state < tokens.length; state++) {
            if (states[state] && (tokens[state] == STAR || tokens[state] == GLOBSTAR)) {
                states[state + 1] = true;
            }
        }
    }

    private static final int STAR = -1;
    private static final int GLOBSTAR = -2;
    private static final int ONE = -3;

    /** The pattern as tokens: a character, or {@link #STAR}, {@link #GLOBSTAR}, {@link #ONE}. */
    private int[] tokens() {
        int[] tokens = compiled;
        if (tokens == null) {
            int[] t = new int[pattern.length()];
            int n = 0;
            for (int p = 0; p < pattern.length(); p++) {
                char c = pattern.charAt(p);
                if (c == '*' && p + 1 < pattern.length() && pattern.charAt(p + 1) == '*') {
                    t[n++] = GLOBSTAR;
                    p++;
                } else {
                    t[n++] = c == '*' ? STAR : c == '?' ? ONE : c;
                }
            }
            tokens = java.util.Arrays.copyOf(t, n);
            compiled = tokens; // racy but idempotent: every thread computes the same array
        }
        return tokens;
    }

    @Override
    public String toString() {
        return written;
    }
}
