package dev.hostguard.agent.cli.report;

/** HTML escaping for text and attribute values: every value from an event goes through {@link #escape}. */
final class HtmlText {
    private HtmlText() {
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (Character.isISOControl(c) && c != '\n' && c != '\t') {
                        out.append("\uFFFD"); // a control character has no business in a page
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
