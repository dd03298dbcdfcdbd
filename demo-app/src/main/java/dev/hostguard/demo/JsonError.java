package dev.hostguard.demo;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Writes {@code {"error":"..."}} answers without a JSON library. */
public final class JsonError {

    private JsonError() {
    }

    /**
     * Uses setStatus and the writer, never sendError: the response stays uncommitted until the
     * servlet returns, so a guard further up the stack can still replace it.
     */
    static void write(HttpServletResponse response, int status, String message) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(body(message));
    }

    /** The JSON body {@code {"error":"<message>"}}. */
    public static String body(String message) {
        return "{\"error\":" + quote(message) + "}";
    }

    /** {@code s} as a JSON string literal, quotes included (null as {@code ""}). */
    public static String quote(String s) {
        if (s == null) {
            return "\"\"";
        }
        StringBuilder out = new StringBuilder(s.length() + 8).append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
