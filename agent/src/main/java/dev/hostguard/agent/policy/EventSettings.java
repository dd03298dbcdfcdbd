package dev.hostguard.agent.policy;

/**
 * The {@code events} part of a policy.
 *
 * @param sink {@code stdout}, {@code stderr} or a file path; {@code null} when the policy names none
 * @param perSecond events written per rule and second; the rest are counted
 * @param stackDepth application frames in each event
 */
public record EventSettings(String sink, int perSecond, int stackDepth) {
    public static final int DEFAULT_PER_SECOND = 100;
    public static final int DEFAULT_STACK_DEPTH = 8;
    public static final EventSettings DEFAULTS = new EventSettings(null, DEFAULT_PER_SECOND, DEFAULT_STACK_DEPTH);
}
