package dev.hostguard.agent.cli.learn;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Values from events written into YAML. Every string is double-quoted with YAML's escapes, so no path or argument
 * (attacker-controlled) can end a scalar, start a comment, or become a key; comments only ever carry text we
 * produced or characters from a small safe set.
 */
final class YamlText {
    private YamlText() {
    }

    /** A double-quoted YAML scalar. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    // YAML allows only printable characters in a document: escape C0, DEL, C1, line and paragraph
                    // separators, unpaired surrogates and the byte-order mark
                    boolean printable = !Character.isISOControl(c) && c != '\u2028' && c != '\u2029'
                            && c != '\uFEFF' && c != '\uFFFE' && c != '\uFFFF' && !unpairedSurrogate(s, i);
                    if (printable) {
                        out.append(c);
                    } else {
                        out.append(String.format("\\u%04X", (int) c));
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** A flow sequence of quoted scalars: {@code ["a", "b"]}. */
    static String list(List<String> values) {
        return values.stream().map(YamlText::quote).collect(Collectors.joining(", ", "[", "]"));
    }

    /** Text for a comment: anything outside a small safe set becomes {@code ?}, so a comment stays one comment. */
    static String comment(String s) {
        return s.replaceAll("[^A-Za-z0-9._:/@+ -]", "?");
    }

    private static boolean unpairedSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }
}
