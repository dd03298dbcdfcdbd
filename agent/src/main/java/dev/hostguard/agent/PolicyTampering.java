package dev.hostguard.agent;

import dev.hostguard.agent.event.RequestInfo;
import dev.hostguard.agent.path.ResolvedPath;
import dev.hostguard.agent.policy.AuthClass;
import dev.hostguard.agent.policy.FileAccess;
import java.time.Instant;

/**
 * Whether a guarded request wrote or changed the policy file, or what it is read through, since the policy in force
 * was loaded: then the next change the watcher sees is not put in force but refused with a {@code policy-tampered}
 * event, and the old policy stays. The {@code hostguard-files} rule refuses such writes in both modes, so a note is
 * only made for one that went ahead anyway: allowed by an allow entry, the rule switched off or logged by the policy,
 * or a spelling of the path the rule did not see.
 *
 * <p>The note holds until the next change of the policy file is looked at, so a change the operator makes after a
 * guarded request wrote there (even the same bytes) is refused once too: the operator writes it again.
 */
final class PolicyTampering {
    /** What a guarded request did to the policy. */
    record Note(String path, FileAccess access, AuthClass auth, RequestInfo request, Instant at) {
    }

    private volatile Note note;

    /** A guarded request was let write or change {@code path}, one of the policy's paths. */
    void note(ResolvedPath path, FileAccess access, AuthClass auth, RequestInfo request) {
        if (note == null) { // the first write counts: it is the one that started the change
            note = new Note(path.canonical() != null ? path.canonical() : path.absolute(), access, auth, request,
                    Instant.now());
        }
    }

    /** The note, cleared: called when a changed policy file is about to be put in force. */
    Note take() {
        Note taken = note;
        note = null;
        return taken;
    }
}
