package dev.hostguard.agent.config;

import java.util.Collection;

/** "Did you mean ...?": the closest known word by edit distance, when it is close enough to be a typo. */
final class Suggestions {
    private Suggestions() {
    }

    /** @return {@code "; did you mean 'x'?"}, or {@code ""} when no known word is close */
    static String didYouMean(String given, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = distance(given.toLowerCase(java.util.Locale.ROOT), candidate.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        int tolerated = Math.max(1, Math.min(3, given.length() / 3));
        if (best != null && bestDistance <= tolerated) {
            return "; did you mean '" + best + "'?";
        }
        // a word with a tail added or cut ("blocking" for "block", "proc" for "process-start")
        for (String candidate : known) {
            String a = given.toLowerCase(java.util.Locale.ROOT);
            String b = candidate.toLowerCase(java.util.Locale.ROOT);
            if (Math.min(a.length(), b.length()) >= 4 && (a.startsWith(b) || b.startsWith(a))) {
                return "; did you mean '" + candidate + "'?";
            }
        }
        return "";
    }

    /** Levenshtein distance, with a transposition of neighbours counting once (Damerau, restricted). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
