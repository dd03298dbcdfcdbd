package dev.hostguard.agent.cli.events;

/**
 * Text from events made safe for a terminal: paths and arguments come from attackers, and a control character
 * (an ANSI escape, a carriage return) printed as is could rewrite what the operator sees.
 */
public final class TerminalText {
    private TerminalText() {
    }

    /** {@code s} with every control character written as {@code \\uXXXX}; {@code null} becomes {@code "-"}. */
    public static String safe(String s) {
        if (s == null) {
            return "-";
        }
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                if (out == null) {
                    out = new StringBuilder(s.length() + 8).append(s, 0, i);
                }
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }
}
