package dev.hostguard.agent.policy;

/** The kinds of host operation the guard sees, with their event names. */
public enum Action {
    PROCESS_START("process-start", "process");

    private final String eventAction;
    private final String category;

    Action(String eventAction, String category) {
        this.eventAction = eventAction;
        this.category = category;
    }

    /** The {@code event.action} of its events. */
    public String eventAction() {
        return eventAction;
    }

    /** The ECS {@code event.category} of its events. */
    public String category() {
        return category;
    }
}
