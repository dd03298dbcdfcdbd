package dev.hostguard.agent.config;

import dev.hostguard.agent.policy.Policy;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A policy file as read at one moment: its policy and the SHA-256 of its bytes (named in events, so an operator
 * can tell which version of the file is in force).
 */
public record PolicyFile(Path path, Policy policy, String sha256) {
    /** Policy files are small; anything this big is a mistake (a log file named by accident). */
    private static final long MAX_BYTES = 1 << 20;

    /**
     * Reads and parses {@code path}.
     *
     * @throws InvalidPolicyException when it cannot be read or is not a valid policy, with every problem
     */
    public static PolicyFile load(Path path) throws InvalidPolicyException {
        String source = path.toString();
        byte[] bytes;
        try {
            if (Files.size(path) > MAX_BYTES) {
                throw invalid(source, "the file is larger than " + MAX_BYTES + " bytes; is it a policy?");
            }
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw invalid(source, "cannot read the policy file: " + e);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw invalid(source, "the file is not UTF-8 text");
        }
        return new PolicyFile(path, PolicyParser.parse(text, source), sha256(bytes));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static InvalidPolicyException invalid(String source, String message) {
        return new InvalidPolicyException(List.of(new PolicyProblem(source, 0, 0, message)));
    }
}
