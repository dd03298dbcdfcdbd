package dev.hostguard.it.app;

/**
 * What every test app reads from its environment: the API key, the logged-in user's name and password, and the
 * port (0, the default, for any free one). A missing value stops the app with one line naming it, exit status 2.
 *
 * @param apiKey {@code API_KEY}
 * @param opsUser {@code OPS_USER}
 * @param opsPassword {@code OPS_PASSWORD}
 * @param port {@code PORT}
 */
record AppEnvironment(String apiKey, String opsUser, String opsPassword, int port) {

    /** @param app the app's name, for the error line */
    static AppEnvironment read(String app) {
        return new AppEnvironment(required(app, "API_KEY"), required(app, "OPS_USER"), required(app, "OPS_PASSWORD"),
                Integer.parseInt(System.getenv().getOrDefault("PORT", "0")));
    }

    private static String required(String app, String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            System.err.println(app + ": missing environment variable " + name);
            System.exit(2);
        }
        return value;
    }
}
