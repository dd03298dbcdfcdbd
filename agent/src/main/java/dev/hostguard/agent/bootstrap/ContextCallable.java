package dev.hostguard.agent.bootstrap;

import java.util.concurrent.Callable;

/** A value-returning task handed over inside a request: it runs working for that request. */
final class ContextCallable<T> implements Callable<T> {
    private final Callable<T> task;
    private final Object context;

    ContextCallable(Callable<T> task, Object context) {
        this.task = task;
        this.context = context;
    }

    @Override
    public T call() throws Exception {
        Object previous = Hooks.propagatedEnter(context);
        try {
            return task.call();
        } finally {
            Hooks.propagatedExit(previous);
        }
    }

    @Override
    public String toString() {
        return task.toString();
    }
}
