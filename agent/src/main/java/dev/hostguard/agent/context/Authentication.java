package dev.hostguard.agent.context;

import dev.hostguard.agent.policy.AuthClass;

/**
 * How a request is authenticated.
 *
 * @param authClass its class
 * @param keyFingerprint the fingerprint of the API key it presents; {@code null} when it presents none
 */
public record Authentication(AuthClass authClass, String keyFingerprint) {
}
