package dev.hostguard.agent;

import dev.hostguard.agent.event.RequestInfo;
import dev.hostguard.agent.policy.AuthClass;
import dev.hostguard.agent.policy.FileAccess;
import java.time.Instant;

/**
 * A guarded request wrote or changed the policy file, or what it is read through, since the policy in force was
 * loaded: then the next change the watcher sees is not put in force but refused with a {@code policy-tampered}
 * event, and the old policy stays. The {@code hostguard-files} rule refuses such writes in both modes, so this is
 * only noted ({@code Guard}) for one that went ahead anyway: allowed by an allow entry, the rule switched off or
 * logged by the policy, or a spelling of the path the rule did not see. The note holds until the next change of the
 * policy file is looked at, so a change the operator makes after a guarded request wrote there (even the same bytes)
 * is refused once too: the operator writes it again. Loaded only when noted: nothing at start-up.
 *
 * @param path what the request wrote, as resolved (canonical)
 * @param access {@code write} or {@code change}
 * @param auth the request's authentication class
 * @param request the request; {@code null} when unknown
 * @param at when
 */
record PolicyTampering(String path, FileAccess access, AuthClass auth, RequestInfo request, Instant at) {
}
