package dev.hostguard.agent.cli;

/**
 * A command failed for a reason the operator can act on (a file that cannot be read, a JVM that will not accept
 * the agent): its message is printed as the one error line, without a stack trace, and the exit code is 1.
 */
public final class CliFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CliFailure(String message) {
        super(message);
    }

    public CliFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
