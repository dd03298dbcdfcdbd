package dev.hostguard.agent.config;

/**
 * One thing wrong with a policy file, where it is.
 *
 * @param line 1-based; 0 when the problem has no place in the file (it cannot be read at all)
 * @param column 1-based
 */
public record PolicyProblem(String source, int line, int column, String message) {
    @Override
    public String toString() {
        return line > 0 ? source + ":" + line + ":" + column + ": " + message : source + ": " + message;
    }
}
