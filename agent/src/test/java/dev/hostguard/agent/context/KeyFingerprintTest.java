package dev.hostguard.agent.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.policy.CredentialSettings;

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

    @Test
    void isWhatThePolicyCheckTakesForAFingerprint() {
        assertTrue(CredentialSettings.isFingerprint(KeyFingerprint.of("any key")));
        assertTrue(CredentialSettings.isFingerprint("0123456789af"));
        for (String not : new String[] {null, "", "0123456789a", "0123456789abc", "0123456789aF", "0123456789ag",
                "0123456789a/", "0123456789a:", "0123456789a`", "prod-key-one"}) {
            assertFalse(CredentialSettings.isFingerprint(not), String.valueOf(not));
        }
    }
}
