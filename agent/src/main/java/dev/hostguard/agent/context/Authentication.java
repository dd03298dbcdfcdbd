package dev.hostguard.agent.context;

import dev.hostguard.agent.policy.AuthClass;

/**
 * How a request is authenticated.
 *
 * @param authClass its class
 * @param keyFingerprint the fingerprint of the API key it presents, or of the name of a principal that stands for
 *                       a key (which may be the key itself); {@code null} when neither
 * @param keySource where the request presents its API key ({@code header X-API-Key}); {@code null} when it
 *                  presents none
 * @param reason why it has this class: the mechanism, principal type or credential that decided
 * @param unattributedPrincipal the class of the principal that made the request {@code api-key} because the agent
 *                              cannot attribute it to a person's login (nor does the policy name it);
 *                              {@code null} otherwise. Learn and report point at it, for the policy to say whose it is.
 */
public record Authentication(AuthClass authClass, String keyFingerprint, String keySource, String reason,
                             String unattributedPrincipal) {

    public Authentication(AuthClass authClass, String keyFingerprint, String keySource, String reason) {
        this(authClass, keyFingerprint, keySource, reason, null);
    }
}
