package dev.hostguard.agent;

import dev.hostguard.agent.bootstrap.HookHandler;
import dev.hostguard.agent.bootstrap.HostGuardBlockedException;
import dev.hostguard.agent.bootstrap.RequestScope;
import dev.hostguard.agent.context.AuthClassifier;
import dev.hostguard.agent.context.JdkInternalCaller;
import dev.hostguard.agent.context.Authentication;
import dev.hostguard.agent.context.RequestView;
import dev.hostguard.agent.context.RequestViews;
import dev.hostguard.agent.event.ApplicationFrames;
import dev.hostguard.agent.event.EventJson;
import dev.hostguard.agent.event.RequestInfo;
import dev.hostguard.agent.event.SecurityEvent;
import dev.hostguard.agent.path.PathResolver;
import dev.hostguard.agent.path.ResolvedPath;
import dev.hostguard.agent.policy.Decision;
import dev.hostguard.agent.policy.FileAccess;
import dev.hostguard.agent.policy.Operation;
import dev.hostguard.agent.policy.PathRules;
import dev.hostguard.agent.policy.PolicyEngine;
import dev.hostguard.agent.policy.Rule;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * The hooks' handler: reads the request an operation serves, asks the policy, writes the event and refuses the
 * operation when the policy says so.
 */
final class Guard implements HookHandler {
    private static final int FORBIDDEN = 403;
    /** Indexed by the {@link HookHandler} operation constants. */
    private static final FileAccess[] FILE_ACCESSES = {
        FileAccess.READ, FileAccess.WRITE, FileAccess.LIST, FileAccess.CONNECT};

    private final PolicyEngine policy;
    private final PathResolver paths;
    private final PathRules rules;
    private final AuthClassifier classifier;
    private final Logger events;
    private final Logger log;
    private final Set<String> failedSites = ConcurrentHashMap.newKeySet();

    Guard(PolicyEngine policy, PathResolver paths, PathRules rules, AuthClassifier classifier, Logger events,
          Logger log) {
        this.policy = policy;
        this.paths = paths;
        this.rules = rules;
        this.classifier = classifier;
        this.events = events;
        this.log = log;
    }

    @Override
    public void processStart(RequestScope scope, String[] command, String directory)
            throws HostGuardBlockedException {
        GuardedRequest request = guardedRequest(scope);
        if (request != null) {
            judge(request, Operation.processStart(command,
                    directory != null ? directory : System.getProperty("user.dir")));
        }
    }

    /**
     * The request is classified first: a logged-in user's file opens are never resolved (a canonical path costs a
     * system call per path component), only those of requests the rules guard.
     */
    @Override
    public void fileAccess(RequestScope scope, int operation, int directoryFd, String path)
            throws HostGuardBlockedException {
        GuardedRequest request = guardedRequest(scope);
        if (request == null) {
            return;
        }
        FileAccess access = FILE_ACCESSES[operation];
        ResolvedPath resolved = directoryFd == AT_FDCWD ? paths.resolve(path) : paths.resolveAt(directoryFd, path);
        Rule rule = rules.match(access, resolved);
        if (rule != null && !JdkInternalCaller.initiatedThisAccess()) {
            judge(request, Operation.file(access, resolved, rule));
        }
    }

    /**
     * A request the policy guards (only an API key, or nothing), with its authentication.
     *
     * @param view the live request, while this thread serves it; {@code null} in work handed over
     * @param captured the request as captured at a hand-over; {@code null} while the thread serves it
     * @param submitter the thread that handed the work over; {@code null} while the thread serves the request
     */
    private record GuardedRequest(RequestView view, Authentication auth, RequestInfo captured, String submitter) {
        RequestInfo info() {
            return captured != null ? captured : new RequestInfo(view.method(), view.path(), view.clientIp());
        }
    }

    /**
     * What a thread noted about the request it serves ({@link RequestScope#memo()}), so that an operation or a
     * hand-over does not classify it again (header lookups, the key's SHA-256): valid for that request object only.
     * A filter that wraps the request hands a new object on (noted afresh); one that logs a user in or out on the
     * same object is seen by {@link AuthClassifier#reclassify}, which every use runs again.
     *
     * @param request the request object classified
     * @param auth its classification
     * @param guarded the guarded request, when the policy guards {@code auth}; else {@code null}
     * @param captured the last snapshot handed over, reused while nothing above changed; else {@code null}
     */
    private record Noted(Object request, Authentication auth, GuardedRequest guarded, GuardedRequest captured) {
    }

    /** @return the request this thread works for, when the policy guards its authentication class; else null */
    private GuardedRequest guardedRequest(RequestScope scope) {
        if (scope.propagated() instanceof GuardedRequest handedOver) {
            return handedOver;
        }
        Noted noted = noted(scope);
        return noted == null ? null : noted.guarded();
    }

    /** The request this thread serves, classified now or noted before and still valid; {@code null} if unknown. */
    private Noted noted(RequestScope scope) {
        RequestView view = RequestViews.of(scope.request(), scope.response());
        if (view == null) {
            return null;
        }
        Noted noted = scope.memo() instanceof Noted n && n.request() == scope.request() ? n : null;
        Authentication auth = noted == null ? classifier.classify(view) : classifier.reclassify(view, noted.auth());
        if (noted == null || auth != noted.auth()) {
            noted = new Noted(scope.request(), auth,
                    policy.guards(auth.authClass()) ? new GuardedRequest(view, auth, null, null) : null, null);
            scope.memo(noted);
        }
        return noted;
    }

    /**
     * Work handed over inside a guarded request is judged as that request's, later and on another thread, when the
     * request object may be long recycled: so the classification and the request's description are taken now,
     * once per request (and again only if its authentication changed); work handed over by handed-over work
     * carries the same snapshot on.
     */
    @Override
    public Object capture(RequestScope scope) {
        if (scope.propagated() instanceof GuardedRequest handedOver) {
            return handedOver;
        }
        Noted noted = noted(scope);
        if (noted == null || noted.guarded() == null) {
            return null;
        }
        String submitter = Thread.currentThread().getName();
        GuardedRequest captured = noted.captured();
        if (captured == null || !captured.submitter().equals(submitter)) {
            GuardedRequest request = noted.guarded();
            captured = new GuardedRequest(null, request.auth(), request.info(), submitter);
            scope.memo(new Noted(noted.request(), noted.auth(), request, captured));
        }
        return captured;
    }

    private void judge(GuardedRequest request, Operation operation) throws HostGuardBlockedException {
        Decision decision = policy.decide(operation, request.auth().authClass());
        if (decision.allowed()) {
            return;
        }
        SecurityEvent event = SecurityEvent.of(operation, decision, policy.mode(), request.auth(), request.info(),
                request.submitter(), Thread.currentThread().getName(), ApplicationFrames.capture());
        events.info(EventJson.toJson(event));
        if (decision.blocked()) {
            throw new HostGuardBlockedException(event.summary(), decision.rule(), event.id());
        }
    }

    @Override
    public boolean answerBlocked(RequestScope scope, HostGuardBlockedException blocked) {
        RequestView request = RequestViews.of(scope.request(), scope.response());  // null in handed-over work
        try {
            return request != null
                    && request.respond(FORBIDDEN, EventJson.blockResponse(blocked.rule(), blocked.eventId()));
        } catch (Exception e) {
            hookFailed("block-response", e);
            return false;
        }
    }

    @Override
    public void hookFailed(String site, Throwable failure) {
        if (failedSites.add(site)) {
            log.warn("hook {} failed and let the operation go ahead; further failures there are only counted",
                    site, failure);
        }
    }
}
