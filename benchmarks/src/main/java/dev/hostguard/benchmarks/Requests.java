package dev.hostguard.benchmarks;

import com.sun.net.httpserver.HttpPrincipal;
import dev.hostguard.agent.bootstrap.Hooks;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The measuring thread inside a request: a {@link FakeExchange} entered with {@link Hooks#requestEnter} (as the
 * JDK {@code HttpServer} advice does) before each measurement iteration and left with {@link Hooks#requestExit}
 * after it, on the thread that measures. That keeps the scope balanced without per-invocation fixtures (which would
 * add timer calls to a sub-µs operation); nothing a benchmark does inside changes the scope, so many operations in
 * one scope cost what as many requests doing one each would. Only for forks with HostGuard attached.
 *
 * <p>Credentials, as HostGuard classifies them:
 * <ul>
 *   <li>{@code user}: a principal (a BASIC login) and no key. The default policy lets a logged-in user's operations
 *       run freely: each hook classifies the request and returns.</li>
 *   <li>{@code api-key}: an {@code X-API-Key} header; {@code none}: no credentials. Both guarded: each hook
 *       classifies the request, then judges the operation (a file's path is resolved and matched against the
 *       rules). The benchmarks only do what the rules allow, so nothing is refused and no event is written.</li>
 * </ul>
 * Each iteration checks that the request is classified as asked: inside a guarded request {@link Hooks#wrap}
 * captures it (returns a wrapper), inside a user's it does not; after leaving, it returns the task itself.
 */
public final class Requests {
    private Requests() {
    }

    /**
     * The scope around each measurement iteration, in a request of {@link #credentials()}; the subclasses choose
     * which (a {@code @Param} each, since JMH takes a parameter's values from the field's own annotation).
     */
    public abstract static class InRequest {
        private FakeExchange exchange;
        private Object token;

        /** {@code user}, {@code api-key} or {@code none}. */
        abstract String credentials();

        @Setup(Level.Trial)
        public void setUp(BenchmarkParams params) {
            Agent.requireConfiguration(params);  // before Hooks is touched
            exchange = exchange(credentials());
        }

        @Setup(Level.Iteration)
        public void enter() {
            token = Requests.enter(exchange, credentials());
        }

        @TearDown(Level.Iteration)
        public void exit() {
            Requests.exit(token, credentials());
            token = null;
        }
    }

    /** Inside a request of each credential class, one fork per class. */
    @State(Scope.Thread)
    public static class Any extends InRequest {
        @Param({"user", "api-key", "none"})
        public String credentials;

        @Override
        String credentials() {
            return credentials;
        }
    }

    /** Inside a guarded request (HostGuard captures it on a hand-over, judges its operations), one fork per class. */
    @State(Scope.Thread)
    public static class Guarded extends InRequest {
        @Param({"api-key", "none"})
        public String credentials;

        @Override
        String credentials() {
            return credentials;
        }
    }

    /** Inside a logged-in user's request: for operations a guarded request must not do (a process start). */
    @State(Scope.Thread)
    public static class LoggedIn extends InRequest {
        @Override
        String credentials() {
            return "user";
        }
    }

    /** The frame the probe's refusal events name ({@link #guarded}). */
    static final String PROBE_FRAME = "dev.hostguard.benchmarks.Requests.guarded(";

    static FakeExchange exchange(String credentials) {
        return switch (credentials) {
            case "user" -> new FakeExchange(new HttpPrincipal("ops", "hostguard-bench"));
            case "api-key" -> new FakeExchange("X-API-Key", HandOverBenchmark.KEY);
            case "none" -> new FakeExchange();
            default -> throw new IllegalArgumentException("credentials: user, api-key or none, not " + credentials);
        };
    }

    private static void noop() {
        // the probe task; never run
    }

    private static Object enter(FakeExchange exchange, String credentials) {
        Object token = Hooks.requestEnter(exchange, exchange);
        Runnable probe = Requests::noop;
        boolean guarded = guarded();
        if (guarded) {
            exchange.expectRefusal(); // the probe's, answered at the request's exit
        }
        String wrong = Hooks.wrap(probe) == probe ? "Hooks.wrap returned the task itself: HostGuard is not attached"
                : guarded == credentials.equals("user") ? "HostGuard " + (guarded ? "guards" : "does not guard") + " it"
                : null;
        if (wrong != null) {
            Hooks.requestExit(token, null);
            throw new IllegalStateException("inside the fake " + credentials + " request " + wrong
                    + ", so this would not measure a " + credentials + " request");
        }
        return token;
    }

    /**
     * Whether the request this thread serves is one HostGuard guards: the agent runs in block mode, so a read of
     * the process environment is refused there and nowhere else. (A hand-over does not tell: a user's work is
     * wrapped too, carrying the user's mark.)
     */
    private static boolean guarded() {
        // the refusal's event names this method among its frames (PROBE_FRAME): Agent.requireNoEventsSince expects it
        try (java.io.FileInputStream in = new java.io.FileInputStream("/proc/self/environ")) {
            return false;
        } catch (java.io.IOException | RuntimeException e) {
            return true;
        }
    }

    private static void exit(Object token, String credentials) {
        Throwable thrown = Hooks.requestExit(token, null);
        Runnable probe = Requests::noop;
        if (thrown != null || Hooks.wrap(probe) != probe) {
            throw new IllegalStateException("the fake " + credentials + " request did not end cleanly", thrown);
        }
    }
}
