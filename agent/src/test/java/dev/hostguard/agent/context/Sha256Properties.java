package dev.hostguard.agent.context;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/** Our SHA-256 gives the JDK's digest, at every length around the 64-byte block and its padding boundaries. */
class Sha256Properties {
    @Property(tries = 2000)
    void agreesWithTheJdk(@ForAll @Size(max = 300) byte[] message) throws NoSuchAlgorithmException {
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(message), Sha256.digest(message));
    }

    @Example
    void agreesAtEveryLengthUpToFourBlocks() throws NoSuchAlgorithmException {
        for (int length = 0; length <= 256; length++) {
            byte[] message = new byte[length];
            for (int i = 0; i < length; i++) {
                message[i] = (byte) (i * 31 + length);
            }
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(message), Sha256.digest(message),
                    "length " + length);
        }
    }
}
