package dev.hostguard.agent;

import dev.hostguard.agent.bootstrap.Hooks;

/** Runs test code inside a servlet request the attached agent sees: with an API key, or a person's BASIC login. */
final class GuardedRequests {
    private GuardedRequests() {
    }

    /** What runs inside the request. */
    interface Use {
        void run() throws Exception;
    }

    /** Runs {@code use} inside a request with an API key ({@code user}: a BASIC login instead). */
    static void inRequest(boolean user, Use use) throws Exception {
        FakeServletExchange exchange = new FakeServletExchange();
        if (user) {
            exchange.principal = () -> "ops";
            exchange.authType = "BASIC";
        } else {
            exchange.headers.put("x-api-key", "leaked");
        }
        Object token = Hooks.requestEnter(exchange.request("jakarta.servlet"),
                exchange.response("jakarta.servlet", new JakartaServlets.Sink(exchange.body)));
        try {
            use.run();
        } finally {
            Hooks.requestExit(token, null);
        }
    }
}
