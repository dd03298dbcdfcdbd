package dev.hostguard.agent.path;

/**
 * Lexical path arithmetic: no file-system access, so the result is what the path says, not what it reaches
 * (a {@code ..} after a symlink goes back up the spelling, not up the link's target; {@link Canonicaliser} does
 * the physical walk). Agrees with {@code Path.of(base).resolve(path).normalize()} but never throws.
 */
final class LexicalPath {
    private LexicalPath() {
    }

    /**
     * {@code path} made absolute against {@code base} (itself absolute and normalised) and normalised:
     * empty and {@code .} components dropped, {@code ..} removes the component before it ({@code /..} is {@code /}).
     */
    static String normalise(String base, String path) {
        StringBuilder out = new StringBuilder(base.length() + path.length() + 1);
        if (!path.startsWith("/")) {
            appendComponents(out, base);
        }
        appendComponents(out, path);
        return out.length() == 0 ? "/" : out.toString();
    }

    /** {@code path} spelled from {@code base} as the kernel would walk it: dots and links left for the walk. */
    static String join(String base, String path) {
        if (path.startsWith("/")) {
            return path;
        }
        return base.endsWith("/") ? base + path : base + "/" + path;
    }

    private static void appendComponents(StringBuilder out, String path) {
        int n = path.length();
        int from = 0;
        while (from <= n) {
            int slash = path.indexOf('/', from);
            int to = slash < 0 ? n : slash;
            int length = to - from;
            if (length == 2 && path.charAt(from) == '.' && path.charAt(from + 1) == '.') {
                int cut = out.lastIndexOf("/");
                if (cut >= 0) {
                    out.setLength(cut);
                }
            } else if (length > 0 && !(length == 1 && path.charAt(from) == '.')) {
                out.append('/').append(path, from, to);
            }
            from = to + 1;
        }
    }
}
