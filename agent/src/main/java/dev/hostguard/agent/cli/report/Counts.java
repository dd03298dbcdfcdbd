package dev.hostguard.agent.cli.report;

/** How many events of each decision one row of the report holds. */
final class Counts {
    int blocked;
    int logged;
    int allowed;

    void add(String decision) {
        switch (decision) {
            case "blocked" -> blocked++;
            case "logged" -> logged++;
            default -> allowed++;
        }
    }

    /** Blocked plus logged: the findings. */
    int findings() {
        return blocked + logged;
    }

    int total() {
        return blocked + logged + allowed;
    }
}
