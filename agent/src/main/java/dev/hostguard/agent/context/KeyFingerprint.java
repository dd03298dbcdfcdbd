package dev.hostguard.agent.context;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** A short, stable id for an API key: the first 12 hex digits of its SHA-256. The key itself is never logged. */
public final class KeyFingerprint {
    private static final int HEX_DIGITS = 12;

    private KeyFingerprint() {
    }

    public static String of(String key) {
        return HexFormat.of().formatHex(Sha256.digest(key.getBytes(StandardCharsets.UTF_8)), 0, HEX_DIGITS / 2);
    }
}
