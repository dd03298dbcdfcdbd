package dev.hostguard.agent;

import dev.hostguard.agent.context.AuthClassifier;
import dev.hostguard.agent.policy.HostGuardFiles;
import dev.hostguard.agent.policy.Mode;
import dev.hostguard.agent.policy.Policy;
import dev.hostguard.agent.policy.PolicyEngine;
import java.util.List;

/**
 * Everything the {@link Guard} decides with, compiled from one policy: swapped as a whole (one volatile
 * reference) when the policy file changes, so an operation is judged by one version of the policy, never by
 * parts of two.
 *
 * @param sha256 the policy file's hash; {@code null} without a policy file
 */
record ActivePolicy(PolicyEngine engine, AuthClassifier classifier, String sha256) {

    static ActivePolicy compile(Policy policy, Mode mode, List<String> hostMounts, String sha256) {
        return new ActivePolicy(new PolicyEngine(policy, mode, hostMounts), new AuthClassifier(policy.credentials()),
                sha256);
    }

    /** @param ownFiles HostGuard's own files, protected by the {@code hostguard-files} rule */
    static ActivePolicy compile(Policy policy, Mode mode, List<String> hostMounts, String sha256,
                                HostGuardFiles ownFiles) {
        return new ActivePolicy(new PolicyEngine(policy, mode, hostMounts, System.getenv(), ownFiles),
                new AuthClassifier(policy.credentials()), sha256);
    }

    Policy policy() {
        return engine.policy();
    }
}
