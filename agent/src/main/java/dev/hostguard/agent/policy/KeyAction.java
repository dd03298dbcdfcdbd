package dev.hostguard.agent.policy;

/**
 * An entry of the policy's {@code auth.keys}: the action for the findings of one API key's requests, in place of
 * {@code auth.api-key} for that key alone. Never applies to a request of another class (a user's request that also
 * carries the key is the user's).
 *
 * @param label the key as the entry names it: a name from {@code credentials.keys}, or the fingerprint
 * @param fingerprint the key's fingerprint ({@link CredentialSettings#isFingerprint})
 * @param verdict its action
 */
public record KeyAction(String label, String fingerprint, Decision.Verdict verdict) {
}
