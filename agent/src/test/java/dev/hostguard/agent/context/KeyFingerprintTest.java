package dev.hostguard.agent.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class KeyFingerprintTest {
    @Test
    void isTheSha256Prefix() {
        // sha256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        assertEquals("ba7816bf8f01", KeyFingerprint.of("abc"));
    }

    @Test
    void differsForDifferentKeys() {
        assertNotEquals(KeyFingerprint.of("key-1"), KeyFingerprint.of("key-2"));
    }
}
