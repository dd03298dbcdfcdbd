package dev.hostguard.it;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The credentials one service JVM is started with, fresh per JVM, distinctive enough that finding one in a log
 * or an events file can only mean it leaked there.
 *
 * @param jwtSecret the HMAC secret the Spring Boot 3 app verifies its bearer tokens with (HS256 wants 256 bits at
 *     least: 64 hex digits, 32 bytes of them random)
 */
public record Secrets(String apiKey, String opsUser, String opsPassword, String jwtSecret) {

    public static Secrets fresh() {
        String random = UUID.randomUUID().toString().replace("-", "");
        String random2 = UUID.randomUUID().toString().replace("-", "");
        return new Secrets("itkey-" + random, "ops", "itpw-" + random.substring(0, 16), random2 + random);
    }

    /** What the agent logs instead of the key: the first 12 hex digits of its SHA-256 (UTF-8). */
    public static String fingerprint(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String apiKeyFingerprint() {
        return fingerprint(apiKey);
    }

    @Override
    public String toString() {
        return "Secrets[opsUser=" + opsUser + "]";
    }
}
