package dev.hostguard.agent.config;

/** A bad agent option; its message is the one line an operator sees before the JVM refuses to start. */
public final class InvalidOptionException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidOptionException(String message) {
        super(message);
    }
}
