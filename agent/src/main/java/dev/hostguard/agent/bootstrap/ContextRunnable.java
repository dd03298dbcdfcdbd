package dev.hostguard.agent.bootstrap;

/** A task handed over inside a request: it runs working for that request, wherever and whenever it runs. */
final class ContextRunnable implements Runnable {
    private final Runnable task;
    private final Object context;

    ContextRunnable(Runnable task, Object context) {
        this.task = task;
        this.context = context;
    }

    @Override
    public void run() {
        Object previous = Hooks.propagatedEnter(context);
        try {
            task.run();
        } finally {
            Hooks.propagatedExit(previous);
        }
    }

    /** The task as the application handed it over. */
    Runnable task() {
        return task;
    }

    @Override
    public String toString() {
        return task.toString();
    }
}
