package dev.hostguard.agent.policy;

/**
 * A path-style glob: {@code *} any characters within one {@code /}-separated segment, {@code **} any characters
 * across segments, {@code ?} one character other than {@code /}; everything else literal. A pattern ending in
 * {@code /**} also matches the directory itself. Hand-written rather than a regular expression: it is matched
 * only after a rule matched, and a policy author must not have to think about regex metacharacters.
 */
public final class Glob {
    private final String pattern;
    private final String written;

    public Glob(String pattern) {
        this(pattern, pattern);
    }

    /**
     * @param pattern what is matched
     * @param written how the policy spelled it, for people (e.g. {@code /proc/self/stat} for {@code /proc/42/stat})
     */
    public Glob(String pattern, String written) {
        if (pattern == null || pattern.isEmpty()) {
            throw new IllegalArgumentException("an empty glob");
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
        return matches(0, s, 0);
    }

    private boolean matches(int p, String s, int i) {
        while (p < pattern.length()) {
            char c = pattern.charAt(p);
            if (c == '*') {
                boolean across = p + 1 < pattern.length() && pattern.charAt(p + 1) == '*';
                int next = across ? p + 2 : p + 1;
                for (int j = i; j <= s.length(); j++) {
                    if (matches(next, s, j)) {
                        return true;
                    }
                    if (j < s.length() && !across && s.charAt(j) == '/') {
                        return false;
                    }
                }
                return false;
            }
            if (i >= s.length() || (c == '?' ? s.charAt(i) == '/' : s.charAt(i) != c)) {
                return false;
            }
            p++;
            i++;
        }
        return i == s.length();
    }

    @Override
    public String toString() {
        return written;
    }
}
