package dev.hostguard.demo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The demo's settings, read from the environment only: secrets never live in code or the image.
 *
 * @param apiKey value the {@code X-API-Key} header must carry on {@code /admin/*}; several keys (one per client)
 *     separated by commas
 * @param opsUser the one user of the BASIC-login area {@code /ops/*}
 * @param opsPassword that user's password
 * @param bind address to listen on
 * @param port port to listen on; 0 picks a free one
 * @param dockerHost DOCKER_HOST as given, for the startup line only: the Docker actions read it
 *     themselves and report a bad value when used, so a tcp:// DOCKER_HOST meant for the docker CLI
 *     does not stop the demo
 * @param backupSource what {@code POST /admin/backup} archives ({@code BACKUP_SOURCE}; default: the working
 *     directory)
 * @param backupTarget where it writes {@code backup.tgz} ({@code BACKUP_TARGET}; default: the temp directory)
 */
record DemoConfig(String apiKey, String opsUser, String opsPassword, String bind, int port, String dockerHost,
                  Path backupSource, Path backupTarget) {

    /** Thrown with a message that fits on one line of stderr. */
    static final class InvalidConfigException extends Exception {
        InvalidConfigException(String message) {
            super(message);
        }
    }

    static DemoConfig fromEnvironment(Map<String, String> env) throws InvalidConfigException {
        List<String> missing = new ArrayList<>();
        for (String name : List.of("API_KEY", "OPS_USER", "OPS_PASSWORD")) {
            if (isBlank(env.get(name))) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new InvalidConfigException("missing required environment variable(s): " + String.join(", ", missing)
                    + " (e.g. API_KEY=$(openssl rand -hex 16) OPS_USER=ops OPS_PASSWORD=... java -jar hostguard-demo.jar)");
        }
        try {
            return new DemoConfig(env.get("API_KEY"), env.get("OPS_USER"), env.get("OPS_PASSWORD"),
                    orDefault(env.get("BIND"), "127.0.0.1"), port(env.get("PORT")),
                    orDefault(env.get("DOCKER_HOST"), DockerSocketClient.DEFAULT_DOCKER_HOST),
                    Path.of(orDefault(env.get("BACKUP_SOURCE"), System.getProperty("user.dir"))).toAbsolutePath(),
                    Path.of(orDefault(env.get("BACKUP_TARGET"), System.getProperty("java.io.tmpdir"))).toAbsolutePath());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(e.getMessage());
        }
    }

    private static int port(String value) {
        String text = orDefault(value, "8080");
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("PORT must be a number from 0 to 65535, not '" + text + "'");
    }

    private static String orDefault(String value, String fallback) {
        return isBlank(value) ? fallback : value.trim();
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    /** Keeps the secrets out of logs and exception messages. */
    @Override
    public String toString() {
        return "DemoConfig[bind=" + bind + ", port=" + port + ", opsUser=" + opsUser + ", dockerHost=" + dockerHost + "]";
    }
}
