package dev.hostguard.agent.posture;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The kernel's escaping of mountinfo fields: space, tab, newline and backslash (and, in some options, the comma)
 * are written as a backslash and three octal digits ({@code \040}). The same form keeps our summary line one line.
 */
final class OctalEscapes {
    private OctalEscapes() {
    }

    /** Decodes {@code \ooo} sequences; works on bytes, so an escaped byte of a multi-byte name decodes too. */
    static String decode(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        byte[] in = field.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            int value = in[i] == '\\' && i + 3 < in.length ? octal(in, i + 1) : -1;
            if (value >= 0) {
                out.write(value);
                i += 3;
            } else {
                out.write(in[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Escapes what would break or blur a one-line, comma-separated list: controls, space, comma, backslash. */
    static String encode(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean escape = c <= ' ' || c == ',' || c == '\\' || c == 0x7f;
            if (escape && out == null) {
                out = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (escape) {
                out.append('\\').append((char) ('0' + (c >> 6 & 7))).append((char) ('0' + (c >> 3 & 7)))
                        .append((char) ('0' + (c & 7)));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    /** The value of three octal digits at {@code from}, or -1 when they are not three octal digits of a byte. */
    private static int octal(byte[] in, int from) {
        int value = 0;
        for (int i = from; i < from + 3; i++) {
            if (in[i] < '0' || in[i] > '7') {
                return -1;
            }
            value = value * 8 + (in[i] - '0');
        }
        return value <= 0xff ? value : -1;
    }
}
