package dev.hostguard.agent;

import dev.hostguard.agent.bootstrap.HookHandler;
import dev.hostguard.agent.bootstrap.Hooks;
import dev.hostguard.agent.bootstrap.HostGuardBlockedException;
import dev.hostguard.agent.bootstrap.RequestScope;
import dev.hostguard.agent.context.AuthClassifier;
import dev.hostguard.agent.context.JdkInternalCaller;
import dev.hostguard.agent.context.NativeCaller;
import dev.hostguard.agent.context.Authentication;
import dev.hostguard.agent.context.RequestView;
import dev.hostguard.agent.context.RequestViews;
import dev.hostguard.agent.context.UnknownRequestView;
import dev.hostguard.agent.context.WebSocketSession;
import dev.hostguard.agent.event.ApplicationFrames;
import dev.hostguard.agent.event.EventJson;
import dev.hostguard.agent.metrics.AgentMetrics;
import dev.hostguard.agent.event.EventRateLimiter;
import dev.hostguard.agent.event.RequestInfo;
import dev.hostguard.agent.event.SecurityEvent;
import dev.hostguard.agent.event.TraceIds;
import dev.hostguard.agent.trace.RequestIds;
import dev.hostguard.agent.trace.RequestTrace;
import dev.hostguard.agent.path.PathResolver;
import dev.hostguard.agent.path.ResolvedPath;
import dev.hostguard.agent.policy.AuthClass;
import dev.hostguard.agent.policy.Decision;
import dev.hostguard.agent.policy.FileAccess;
import dev.hostguard.agent.policy.JvmDiagnostics;
import dev.hostguard.agent.policy.NativeCode;
import dev.hostguard.agent.policy.Operation;
import dev.hostguard.agent.policy.PolicyEngine;
import dev.hostguard.agent.policy.ResponseTemplate;
import dev.hostguard.agent.policy.Rule;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * The hooks' handler: reads the request an operation serves, asks the policy, writes the event and refuses the
 * operation when the policy says so.
 */
final class Guard implements HookHandler {
    /** The event id a refusal names when the rate limit held its event back. */
    static final String SUPPRESSED_EVENT_ID = "suppressed";
    /** Indexed by the {@link HookHandler} operation constants. */
    private static final FileAccess[] FILE_ACCESSES = {
        FileAccess.READ, FileAccess.WRITE, FileAccess.LIST, FileAccess.CONNECT};
    /**
     * What work handed over inside a request the policy does not guard carries ({@link #capture}): it works for
     * that request, so nothing in it is judged, and it is not outside-request work. Compared by identity; a string
     * of its own rather than an anonymous class: one class less at start-up.
     */
    @SuppressWarnings("StringOperationCanBeSimplified")
    private static final Object UNGUARDED_WORK = new String("work for a request the policy does not guard");

    /** The policy in force: read once per operation, replaced as a whole by a reload. */
    private volatile ActivePolicy active;
    /** The policy put in force last, kept apart from {@link #active}: what the self-check compares it with. */
    private volatile ActivePolicy inForce;
    /** What the self-check weaves again; {@code null} until {@link #selfCheck} (tests without one). */
    private volatile HookInstallation hooks;
    /** Whether the service has served a request: from then on the default policy logs escapes outside requests. */
    private volatile boolean requestsServed;
    private volatile boolean selfCheckOnTicks;
    /** Made and started with the first request served (no thread, no class at start-up). */
    private SelfCheck selfCheck; // guarded by this
    private final PathResolver paths;
    private final String requestIdHeader;
    /** The correlation ids of an event's request, read only when an event is written; made by the first. */
    private volatile RequestTrace trace;
    private final EventRateLimiter limiter;
    private final Logger events;
    private final Logger log;
    private final Set<String> failedSites = ConcurrentHashMap.newKeySet();
    /** The protected files by identity of the last policy that needed them; {@code null}: none yet. */
    private volatile Identities identities;
    /** What a guarded request did to the policy file since the last look at it; {@code null}: nothing. */
    private volatile PolicyTampering tampering;
    /**
     * Whether a refusal was ever kept on a request: until then, a server's answer (every request's, on servers that
     * answer later) is let through without looking at the request.
     */
    private volatile boolean refusalKept;

    Guard(ActivePolicy policy, PathResolver paths, Logger events, Logger log) {
        this(policy, paths, RequestIds.DEFAULT_HEADER, events, log);
    }

    /** @param requestIdHeader the header of {@code http.request.id} (the {@code request-id-header} option) */
    Guard(ActivePolicy policy, PathResolver paths, String requestIdHeader, Logger events, Logger log) {
        this.requestIdHeader = requestIdHeader;
        this.active = policy;
        this.inForce = policy;
        this.paths = paths;
        this.limiter = new EventRateLimiter(policy.policy().events().perSecond());
        this.events = events;
        this.log = log;
    }

    /** Puts a reloaded policy in force, at once, for every operation judged from now on. */
    void replace(ActivePolicy policy) {
        limiter.perSecond(policy.policy().events().perSecond());
        active = policy;
        inForce = policy;
        tellFacadeOutsideRequests(policy);
    }

    /** Tells the facade what {@code policy} judges outside requests: everything, the escapes, or nothing. */
    private void tellFacadeOutsideRequests(ActivePolicy policy) {
        Hooks.judgeOutsideRequests(this, policy.engine().guardsOutsideRequest(), judgesOutsideEscapes(policy));
    }

    /**
     * Whether the facade judges the container-escape operations outside requests under {@code policy}: the default
     * policy's, once the service has served its first request ({@link PolicyEngine#logsOutsideEscapes()}).
     */
    boolean judgesOutsideEscapes(ActivePolicy policy) {
        return requestsServed && policy.engine().logsOutsideEscapes();
    }

    /**
     * Lets the self-check start with the first request served (GuardInstaller), weaving again through {@code hooks}:
     * on the policy watcher's ticks when there is a watcher ({@code onTicks}: no thread more), else on a thread of
     * its own.
     */
    void selfCheck(HookInstallation hooks, boolean onTicks) {
        this.selfCheckOnTicks = onTicks;
        this.hooks = hooks;
    }

    @Override
    public synchronized void requestsServed() {
        requestsServed = true;
        tellFacadeOutsideRequests(active);
        if (selfCheck == null && hooks != null) {
            selfCheck = new SelfCheck(this, hooks);
            if (!selfCheckOnTicks) {
                selfCheck.start();
            }
        }
    }

    /** The self-test's finding: required hook sites with no method on this JDK, so what they guard is not guarded. */
    void hooksMissing(Set<String> missing) {
        log.warn("these hooks found no method on this JDK ({} {}), so what they guard is NOT guarded: {}",
                System.getProperty("java.vendor"), Runtime.version(), missing);
    }

    /** A tick of the policy watcher (every second): the self-check, once requests are served. */
    void selfCheckTick() {
        SelfCheck check;
        synchronized (this) {
            check = selfCheckOnTicks ? selfCheck : null;
        }
        if (check != null) {
            try {
                check.check();
            } catch (RuntimeException | Error e) {
                hookFailed("self-check", e);
            }
        }
    }

    /** The policy put in force last; whether the one judging by is still it (the self-check). */
    ActivePolicy policyInForce() {
        return inForce;
    }

    boolean policyIntact() {
        return active == inForce;
    }

    /** Puts the policy in force back where the self-check found another. */
    void restorePolicy() {
        active = inForce;
    }

    /**
     * A tamper attempt refused at a choke point, or a change the self-check found: one {@code tamper} event (at most
     * the policy's rate per second, as any rule's), naming the request {@code scope} works for, if any. Inside a
     * guarded request in block mode the request is refused too.
     */
    @Override
    public HostGuardBlockedException tamper(RequestScope scope, String family, String target, String detail) {
        return tamper(scope, family, target, detail, null);
    }

    /** @param decision {@code detected} for the self-check's finds; {@code null}: refused (or blocked) */
    HostGuardBlockedException tamper(RequestScope scope, String family, String target, String detail,
                                     String decision) {
        ActivePolicy policy = active;
        RequestInfo info = null;
        AuthClass auth = null;
        GuardedRequest guarded = null;
        if (scope != null && scope.propagated() instanceof GuardedRequest handedOver) {
            info = traced(null, handedOver.info());
            auth = handedOver.authClass();
            guarded = handedOver;
        } else if (scope != null && scope.request() != null && scope.request() != SelfCheck.CANARY) {
            Noted noted = noted(scope, policy);
            if (noted != null) {
                info = traced(noted.view(), RequestInfo.of(noted.view()));
                auth = noted.classification().auth().authClass();
                guarded = noted.guarded();
            }
        }
        boolean refuse = guarded != null && policy.engine().mode() == dev.hostguard.agent.policy.Mode.BLOCK;
        AgentMetrics.INSTANCE.tamperAttempt();
        String id = limiter.tryAcquire(SelfCheck.RULE) ? dev.hostguard.agent.event.EventStamps.newId() : null;
        if (id != null) {
            events.info(EventJson.tamper(id, family, target, detail,
                    decision != null ? decision : refuse ? "blocked" : "refused",
                    policy.engine().mode().label(), auth == null ? null : auth.label(), info,
                    ApplicationFrames.capture(policy.policy().events().stackDepth())));
            reportSuppressed();
        }
        return refuse ? refuse(guarded, new HostGuardBlockedException("blocked by HostGuard: tamper (" + family + " "
                + target + ")", SelfCheck.RULE, id == null ? SUPPRESSED_EVENT_ID : id)) : null;
    }

    /** Writes a configuration event (policy reloaded or refused) to the event sink. */
    void writeEvent(String json) {
        events.info(json);
    }

    /** Reports the counts of rate-limited events of finished seconds (the writer does too, after each event). */
    void reportSuppressed() {
        limiter.drain(suppressedWriter);
    }

    @Override
    public void processStart(RequestScope scope, String[] command, String directory)
            throws HostGuardBlockedException {
        if (scope.request() == SelfCheck.CANARY && SelfCheck.CANARY_PATH.equals(command[0])) {
            throw SelfCheck.reached(SelfCheck.PROCESS_CANARY);
        }
        ActivePolicy policy = active;
        GuardedRequest request = guardedRequest(scope, policy);
        if (request != null) {
            List<String> commandLine = List.of(command);
            Rule rule = policy.engine().processRule(commandLine);
            if (rule != null) {
                judge(policy, request, Operation.processStart(commandLine,
                        directory != null ? directory : System.getProperty("user.dir"), rule));
            }
        }
    }

    /** The self-check's file canary ({@link SelfCheck}) reached a file-open hook: it is refused, nothing opened. */
    private static void fileCanary(RequestScope scope, String path) throws HostGuardBlockedException {
        if (scope.request() == SelfCheck.CANARY && SelfCheck.CANARY_PATH.equals(path)) {
            throw SelfCheck.reached(SelfCheck.FILE_CANARY);
        }
    }

    /**
     * The request is classified first: a logged-in user's file opens are never resolved (a canonical path costs a
     * system call per path component), only those of requests the rules guard.
     */
    @Override
    public void fileAccess(RequestScope scope, int operation, int directoryFd, String path)
            throws HostGuardBlockedException {
        fileCanary(scope, path);
        ActivePolicy policy = active;
        GuardedRequest request = guardedRequest(scope, policy);
        if (request == null) {
            return;
        }
        FileAccess access = FILE_ACCESSES[operation];
        ResolvedPath resolved = directoryFd == AT_FDCWD ? paths.resolve(path) : paths.resolveAt(directoryFd, path);
        if (access == FileAccess.CONNECT) {
            resolved = knownSocket(policy.engine(), resolved);
        }
        Rule rule = policy.engine().pathRules().match(access, resolved);
        if (rule != null && !(JdkInternalCaller.mayRead(resolved.absolute(), resolved.canonical())
                && JdkInternalCaller.initiatedThisAccess())) {
            judge(policy, request, Operation.file(access, resolved, rule));
        }
        notePolicyWrite(policy, request, access, resolved);
    }

    /**
     * A read-only open, before it happens: the rules are looked up on the path as spelled (lexically: no system
     * call, nothing allocated for an absolute normal path) and a match is judged now, as {@link #fileAccess} judges
     * it; any other path is left to {@link #fileReadOpened}, which judges what the kernel opened. The request is not
     * classified unless something matched; a request already known as one the rules do not guard (a logged-in
     * user's) is let through without a look at the path. Where descriptors cannot be read ({@code /proc} missing)
     * every open is judged before, as before.
     */
    @Override
    public boolean fileReadOpening(RequestScope scope, int directoryFd, String path)
            throws HostGuardBlockedException {
        fileCanary(scope, path);
        ActivePolicy policy = active;
        if (knownUnguarded(scope, policy)) {
            return false; // before OpenDescriptors: a user's reads never load it
        }
        if (!OpenDescriptors.available()) {
            fileAccess(scope, FILE_READ, directoryFd, path);
            return false;
        }
        String absolute = paths.lexical(directoryFd, path);
        if (absolute == null || policy.engine().pathRules().match(FileAccess.READ, absolute) == null) {
            return true;
        }
        fileAccess(scope, FILE_READ, directoryFd, path);
        return false;
    }

    /**
     * The descriptor of a read-only open whose path, as spelled, matched no rule: the file the kernel opened, named
     * by {@code /proc/self/fd/<fd>} (one {@code readlink}: links planted on the way, {@code ..} through them,
     * {@code /proc/self} all resolved by the kernel itself, race-free), matched by the same rules; and a regular file
     * with more than one name ({@code fstat}) looked up by identity among the protected files
     * ({@link ProtectedIdentities}): a hard link is the file it is. Only a match classifies the request. A
     * descriptor that cannot be read is judged by its path resolved as before the open: never let through unseen.
     */
    @Override
    public void fileReadOpened(RequestScope scope, int fd, int directoryFd, String path)
            throws HostGuardBlockedException {
        ActivePolicy policy = active;
        String opened = OpenDescriptors.path(fd);
        if (opened == null) {
            fileAccess(scope, FILE_READ, directoryFd, path);
            return;
        }
        if (!opened.startsWith("/")) {
            return; // pipe:[..], anon_inode:[..]: an object with no path, reached through /proc/<pid>/fd
        }
        Rule rule = policy.engine().pathRules().match(FileAccess.READ, opened);
        String canonical = opened;
        if (rule == null) {
            OpenDescriptors.Identity linked = OpenDescriptors.linkedRegularFile(fd);
            if (linked == null) {
                return; // the common case: one name, matched by none
            }
            ProtectedIdentities.Protected file = readIdentities(policy).find(linked.dev(), linked.ino());
            if (file == null) {
                return;
            }
            rule = file.rule();
            canonical = file.path();
        }
        GuardedRequest request = guardedRequest(scope, policy);
        if (request == null) {
            return;
        }
        String absolute = paths.lexical(directoryFd, path);
        if (JdkInternalCaller.mayRead(absolute, canonical) && JdkInternalCaller.initiatedThisAccess()) {
            return;
        }
        judge(policy, request, Operation.file(FileAccess.READ, new ResolvedPath(path,
                absolute != null ? absolute : paths.resolveAt(directoryFd, path).absolute(), canonical), rule));
    }

    @Override
    public int descriptorNumber(java.io.FileDescriptor descriptor) {
        return OpenDescriptors.number(descriptor);
    }

    @Override
    public void closeDescriptor(int fd) {
        OpenDescriptors.close(fd);
    }

    /** The protected files by identity under the policy in force, walked on first need ({@link ProtectedIdentities}). */
    private ProtectedIdentities readIdentities(ActivePolicy policy) {
        Identities known = identities;
        if (known == null || known.policy() != policy) {
            known = new Identities(policy, ProtectedIdentities.of(policy.engine().pathRules(), FileAccess.READ));
            identities = known;
        }
        return known.index();
    }

    /** {@link ProtectedIdentities} of one policy. */
    private record Identities(ActivePolicy policy, ProtectedIdentities index) {
    }

    /**
     * Whether this thread serves a request already classified, under this policy, as one the rules do not guard (a
     * logged-in user's): its file opens need no look at all. A request not classified yet is not classified here.
     */
    private boolean knownUnguarded(RequestScope scope, ActivePolicy policy) {
        if (scope.propagated() == UNGUARDED_WORK) {
            return true;
        }
        if (scope.request() == null || scope.propagated() != null
                || !(scope.memo() instanceof Noted n) || n.request() != scope.request() || n.policy() != policy) {
            return false;
        }
        Noted noted = noted(scope, policy); // a login or logout on the same request object since is seen here
        return noted != null && noted.guarded() == null;
    }

    /**
     * A write or change a guarded request was let do (allowed, or matched no rule) to the policy file or what it is
     * read through: the next reload is refused as tampered ({@link PolicyTampering}).
     */
    private void notePolicyWrite(ActivePolicy policy, GuardedRequest request, FileAccess access,
                                 ResolvedPath resolved) {
        if (access != FileAccess.READ && access != FileAccess.LIST && access != FileAccess.CONNECT
                && request.authClass() != null && policy.engine().ownFiles().touchesPolicy(resolved)) {
            if (tampering == null) { // the first write counts: it is the one that started the change
                tampering = new PolicyTampering(resolved.canonical() != null ? resolved.canonical()
                        : resolved.absolute(), access, request.authClass(), traced(request.view(), request.info()),
                        java.time.Instant.now());
            }
        }
    }

    /** What a guarded request did to the policy file since the last look, cleared; {@code null} if nothing. */
    PolicyTampering takePolicyTampering() {
        PolicyTampering taken = tampering;
        tampering = null;
        return taken;
    }

    /** A signal to another process ({@code ProcessHandle.destroy}, {@code destroyForcibly}) inside a request. */
    @Override
    public void processSignal(RequestScope scope, long pid, boolean forcibly) throws HostGuardBlockedException {
        ActivePolicy policy = active;
        GuardedRequest request = guardedRequest(scope, policy);
        Rule rule = request == null ? null : policy.engine().processSignalRule();
        if (rule != null) {
            judge(policy, request, Operation.processSignal(pid, forcibly, rule));
        }
    }

    /**
     * {@code ProcessHandle.info()} of process {@code pid} inside a request: a read of {@code /proc/<pid>/cmdline}
     * (the {@code proc-cmdline} rule, this process's own pid included, as for {@code /proc/self/cmdline}).
     */
    @Override
    public void processInfo(RequestScope scope, long pid) throws HostGuardBlockedException {
        ActivePolicy policy = active;
        GuardedRequest request = guardedRequest(scope, policy);
        if (request == null) {
            return;
        }
        ResolvedPath cmdline = paths.resolve("/proc/" + pid + "/cmdline");
        Rule rule = policy.engine().pathRules().match(FileAccess.READ, cmdline);
        if (rule != null) {
            judge(policy, request, Operation.file(FileAccess.READ, cmdline, rule));
        }
    }

    /**
     * A JVM diagnostic inside a request ({@link JvmDiagnosticCommands}): each file it writes at a path it names judged
     * as a write of that path by the path rules first, then the diagnostic itself ({@code jvm-diagnostics}).
     */
    @Override
    public void jvmDiagnostic(RequestScope scope, String kind, String name, Object arguments)
            throws HostGuardBlockedException {
        ActivePolicy policy = active;
        GuardedRequest request = guardedRequest(scope, policy);
        if (request == null) {
            return;
        }
        for (String file : JvmDiagnosticCommands.filesWritten(kind, name, arguments)) {
            ResolvedPath resolved = paths.resolve(file);
            Rule rule = policy.engine().pathRules().match(FileAccess.WRITE, resolved);
            if (rule != null) {
                judge(policy, request, Operation.file(FileAccess.WRITE, resolved, rule));
            }
        }
        Rule rule = policy.engine().jvmDiagnosticsRule();
        if (rule != null) {
            judge(policy, request, JvmDiagnostics.operation(kind, JvmDiagnosticCommands.commandLine(name, arguments),
                    rule));
        }
    }

    /**
     * A rename, link, delete, create or attribute change: the request is classified first, then each path it touches
     * resolved and matched ({@link FileChanges}); each finding judged in order, the first refusal stops the change.
     */
    @Override
    public void fileChange(RequestScope scope, int operation, int directoryFd, Object path, int otherFd,
                           Object other, int mode, String detail) throws HostGuardBlockedException {
        ActivePolicy policy = active;
        GuardedRequest request = guardedRequest(scope, policy);
        if (request == null) {
            return;
        }
        List<Operation> findings = FileChanges.findings(paths, policy.engine().pathRules(), operation, directoryFd,
                path, otherFd, other, mode, detail);
        if (findings.isEmpty() || JdkInternalCaller.initiatedThisAccess()) {
            return;
        }
        for (Operation finding : findings) {
            judge(policy, request, finding);
        }
        for (Operation letThrough : findings) { // none refused: a change of the policy's files is tampering
            String changed = letThrough.target();
            notePolicyWrite(policy, request, letThrough.access(), new ResolvedPath(changed, changed, changed));
        }
    }

    /** {@code DELETE_ON_CLOSE}'s unlink right after its open: the JDK's own exception, which it ignores there. */
    @Override
    public Throwable unlinkRefusal(HostGuardBlockedException refused) {
        return DeleteOnCloseRefusals.forCaller();
    }

    /**
     * Native code: the request is classified first (a user's loads cost nothing more); then code the JDK links for
     * itself through FFM (its caller a boot or platform class) is let go, as {@code Hooks} lets the JDK's own JNI
     * libraries go.
     */
    @Override
    public void nativeCode(RequestScope scope, int operation, String api, Object target, Object detail)
            throws HostGuardBlockedException {
        ActivePolicy policy = active;
        GuardedRequest request = guardedRequest(scope, policy);
        if (request == null) {
            return;
        }
        Rule rule = policy.engine().nativeCodeRule();
        if (rule == null || api.startsWith("ffm") && NativeCaller.isJdk()) {
            return;
        }
        judge(policy, request, operation == NATIVE_DOWNCALL
                ? NativeCode.downcall(NativeCaller.describeDowncall(target, detail), rule)
                : NativeCode.load(api, String.valueOf(target), rule));
    }

    /**
     * The destination is matched first, without allocating and before the request is looked at: most connects of a
     * guarded request (its database, the services it calls) match no rule and cost a few compares.
     */
    @Override
    public void networkConnect(RequestScope scope, InetAddress address, int port) throws HostGuardBlockedException {
        ActivePolicy policy = active;
        Rule rule = NetworkConnects.match(policy.engine().networkRules(), address, port);
        if (rule == null) {
            return;
        }
        GuardedRequest request = guardedRequest(scope, policy);
        if (request != null) {
            judge(policy, request, NetworkConnects.operation(address, port, rule));
        }
    }

    /**
     * A connection to {@code target}, a Unix socket, reaches a container runtime (or any socket a rule guards the
     * connect to): the socket as resolved now, so its use is judged by the rules in force then. Made for every
     * Unix-domain connect of the JVM, whoever connects: a connect is rare, and a pooled connection opened outside
     * a request is exactly the one to remember.
     */
    @Override
    public Object runtimeConnection(String target) {
        PolicyEngine engine = active.engine();
        ResolvedPath resolved = knownSocket(engine, paths.resolve(target));
        return engine.pathRules().match(FileAccess.CONNECT, resolved) != null ? new RuntimeSocket(resolved) : null;
    }

    /**
     * The socket a connect reaches, as the rules know it: by its name, or, when no rule knows that name, by what it
     * is: a hard link to a runtime's socket under another name is that socket ({@link SocketIdentities}).
     */
    private static ResolvedPath knownSocket(PolicyEngine engine, ResolvedPath socket) {
        if (engine.pathRules().match(FileAccess.CONNECT, socket) != null) {
            return socket;
        }
        ResolvedPath runtime = SocketIdentities.runtimeSocketNamed(socket, engine.runtimeSocketHomes());
        return runtime != null ? runtime : socket;
    }

    @Override
    public String socketPath(Object address) {
        return NativeSocketAddresses.path(address);
    }

    /** What {@link #runtimeConnection} remembers of a Unix-socket connection to a runtime. */
    private record RuntimeSocket(ResolvedPath socket) {
    }

    /**
     * A TCP connection to {@code address}:{@code port} reaches an endpoint a network rule guards: remembered with
     * that address, so its use is judged by the rules in force then. Allocates nothing for other connections.
     */
    @Override
    public Object networkConnection(InetAddress address, int port) {
        return NetworkConnects.match(active.engine().networkRules(), address, port) != null
                ? new RemoteEndpoint(address, port) : null;
    }

    /** What {@link #networkConnection} remembers of a TCP connection to a guarded endpoint. */
    private record RemoteEndpoint(InetAddress address, int port) {
    }

    /**
     * A read or write inside a request on a connection {@link #runtimeConnection} or {@link #networkConnection}
     * remembered: judged as the connect would be, by the rule for that access ({@code runtime-socket}: connect, read,
     * write; a network rule: any use of a connection to its endpoint).
     */
    @Override
    public void runtimeConnectionUse(RequestScope scope, Object noted, boolean write)
            throws HostGuardBlockedException {
        ActivePolicy policy = active;
        FileAccess access = write ? FileAccess.WRITE : FileAccess.READ;
        Operation use;
        if (noted instanceof RuntimeSocket connection) {
            Rule rule = policy.engine().pathRules().match(access, connection.socket());
            use = rule == null ? null : Operation.connectionUse(access, connection.socket(), rule);
        } else if (noted instanceof RemoteEndpoint endpoint) {
            Rule rule = NetworkConnects.match(policy.engine().networkRules(), endpoint.address(), endpoint.port());
            use = rule == null ? null : NetworkConnects.use(access, endpoint.address(), endpoint.port(), rule);
        } else {
            return;
        }
        GuardedRequest request = use == null ? null : guardedRequest(scope, policy);
        if (request != null) {
            judge(policy, request, use);
        }
    }

    /**
     * A request the policy guards (only an API key, or nothing), with its authentication.
     *
     * @param view the live request, while this thread serves it; {@code null} in work handed over
     * @param captured the request as captured at a hand-over; {@code null} while the thread serves it
     * @param submitter the thread that handed the work over; {@code null} while the thread serves the request
     * @param origin in work handed over, the live request that handed it over where its server keeps the refusals
     *               of that work for its answer ({@link RequestView#keepsHandedOverRefusals}, Vert.x); else
     *               {@code null}
     * @param webSocket the WebSocket session whose messages this work handles (opened by the request), closed by a
     *                  refusal; else {@code null}
     */
    private record GuardedRequest(RequestView view, Authentication auth, RequestInfo captured, String submitter,
                                  RequestView origin, WebSocketSession webSocket) {
        /** No request at all: an operation outside requests, when the policy judges those. */
        static final GuardedRequest OUTSIDE = new GuardedRequest(null, null, null, null, null, null);

        /** @return the request; {@code null} outside requests */
        RequestInfo info() {
            return captured != null ? captured
                    : view != null ? RequestInfo.of(view) : null;
        }

        /** @return the authentication class; {@code null} outside requests */
        AuthClass authClass() {
            return auth == null ? null : auth.authClass();
        }
    }

    /**
     * What a thread noted about the request it serves ({@link RequestScope#memo()}), so that an operation or a
     * hand-over does not classify it again (header lookups, the key's SHA-256): valid for that request object under
     * that policy only. A filter that wraps the request hands a new object on (noted afresh); one that logs a user
     * in or out on the same object is seen by {@link AuthClassifier#reclassify}, which every use runs again; a
     * reload brings a new policy (noted afresh: its credentials and auth actions may differ).
     *
     * @param request the request object classified
     * @param view the view of it the classification read (made once: a view per operation would allocate)
     * @param policy the policy it was classified under
     * @param classification its classification
     * @param guarded the guarded request, when the policy guards its class; else {@code null}
     * @param captured the last snapshot handed over, reused while nothing above changed; else {@code null}
     */
    private record Noted(Object request, RequestView view, ActivePolicy policy,
                         AuthClassifier.Classification classification,
                         GuardedRequest guarded, GuardedRequest captured) {
    }

    /** Whether {@code policy} judges anything outside requests: all of it, or (the default) the escapes. */
    private static boolean judgesOutsideRequests(ActivePolicy policy) {
        return policy.engine().guardsOutsideRequest() || policy.engine().logsOutsideEscapes();
    }

    /** @return the request this thread works for, when the policy guards its authentication class; else null */
    private GuardedRequest guardedRequest(RequestScope scope, ActivePolicy policy) {
        if (scope.propagated() instanceof GuardedRequest handedOver) {
            return handedOver;
        }
        if (scope.request() == null && scope.propagated() == null) {
            // the hooks call with a scope that works for no request only when the policy judges outside requests
            return judgesOutsideRequests(policy) ? GuardedRequest.OUTSIDE : null;
        }
        Noted noted = noted(scope, policy);
        return noted == null ? null : noted.guarded();
    }

    /** The request this thread serves, classified now or noted before and still valid; {@code null} if unknown. */
    private Noted noted(RequestScope scope, ActivePolicy policy) {
        Noted noted = scope.memo() instanceof Noted n && n.request() == scope.request() && n.policy() == policy
                ? n : null;
        RequestView view = noted != null ? noted.view() : RequestViews.of(scope.request(), scope.response());
        boolean forged = false;
        if (view == null) {
            if (scope.request() == null || scope.request() == SelfCheck.CANARY) {
                return null;
            }
            // an entry made by hand inside a request changes nothing: it stays the server's request; made outside
            // one, it is a request with no login
            Object outermost = scope.outermost();
            RequestView server = outermost != null && outermost != scope.request()
                    ? RequestViews.of(outermost, scope.response()) : null;
            view = server != null ? server : new UnknownRequestView(scope.request().getClass().getName());
            forged = true;
        }
        AuthClassifier classifier = policy.classifier();
        AuthClassifier.Classification classification = noted == null
                ? classifier.classify(view) : classifier.reclassify(view, noted.classification());
        if (noted == null || classification != noted.classification()) {
            Authentication auth = classification.auth();
            noted = new Noted(scope.request(), view, policy, classification,
                    policy.engine().guards(auth.authClass(), auth.keyFingerprint()) ? new GuardedRequest(view, auth, null, null, null, null) : null,
                    null);
            scope.memo(noted);
        }
        if (forged) { // after the memo: the tamper event reads this request as noted
            tamper(scope, "facade-call", "Hooks.requestEnter", "a request object of a type no server HostGuard"
                    + " knows (" + scope.request().getClass().getName() + "): an entry made by hand, judged as "
                    + (view instanceof UnknownRequestView ? "a request with no login" : "the server's request"));
        }
        return noted;
    }

    /**
     * Work handed over inside a guarded request is judged as that request's, later and on another thread, when the
     * request object may be long recycled: so the classification and the request's description are taken now.
     * Work handed over inside a request the policy does not guard (a logged-in user's) carries {@link
     * #UNGUARDED_WORK}, so that it is not taken for work nobody asked for where outside-request work is judged (the
     * default logs its process starts); where it is not, it carries nothing and costs nothing. Work handed over
     * outside requests carries nothing: its thread is judged as outside requests anyway.
     */
    @Override
    public Object capture(RequestScope scope) {
        Object handedOver = scope.propagated();
        if (handedOver != null) {
            return handedOver;
        }
        ActivePolicy policy = active;
        Noted noted = scope.request() == null ? null : noted(scope, policy);
        if (noted == null) {
            return null;
        }
        if (noted.guarded() == null) {
            return judgesOutsideRequests(policy) ? UNGUARDED_WORK : null;
        }
        String submitter = Thread.currentThread().getName();
        GuardedRequest captured = noted.captured();
        if (captured == null || !captured.submitter().equals(submitter)) {
            GuardedRequest request = noted.guarded();
            // the request's correlation headers go with the work: the request object may be recycled when it runs
            RequestInfo info = request.info();
            captured = new GuardedRequest(null, request.auth(),
                    request.view() == null ? info : info.withTrace(headerIds(request.view())), submitter,
                    request.view() != null && request.view().keepsHandedOverRefusals() ? request.view() : null,
                    null);
            scope.memo(new Noted(noted.request(), noted.view(), noted.policy(), noted.classification(), request,
                    captured));
        }
        return captured;
    }

    /**
     * A WebSocket session's messages work for its handshake: the handshake's snapshot, its route and login, marked
     * {@code websocket} (the events' {@code hostguard.context}) and holding the session its refusals close. The
     * submitter stays the handshake's thread. Nothing for a handshake the policy does not guard (a user's).
     */
    @Override
    public Object webSocketHandshake(RequestScope scope, Object session) {
        if (scope.propagated() != null) {
            return null;
        }
        Object captured = capture(scope);
        if (!(captured instanceof GuardedRequest handshake) || handshake.captured() == null) {
            return captured; // a user's session's messages work for the user (or, where nothing is judged, for nobody)
        }
        return new GuardedRequest(null, handshake.auth(), handshake.captured().withContext("websocket"),
                handshake.submitter(), null, new WebSocketSession(session));
    }

    @Override
    public void webSocketAccepted(Object context, Object session) {
        if (context instanceof GuardedRequest request && request.webSocket() != null) {
            request.webSocket().accepted(session);
        }
    }

    /**
     * Decides, writes the event (at most the policy's rate per rule and second; beyond it the event is only
     * counted, and a refusal still happens) and refuses when the decision says so.
     */
    private void judge(ActivePolicy policy, GuardedRequest request, Operation operation)
            throws HostGuardBlockedException {
        RequestInfo info = request.info();
        Authentication auth = request.auth();
        Decision decision = policy.engine().decide(operation, request.authClass(),
                auth == null ? null : auth.keyFingerprint(), info == null ? null : info.method(),
                info == null ? null : info.path());
        if (decision.allowed()) {
            return;
        }
        AgentMetrics.INSTANCE.decided(decision, request.authClass(), policy.engine().mode());
        if (!limiter.tryAcquire(decision.rule())) {
            AgentMetrics.INSTANCE.suppressed(decision.rule());
            if (decision.blocked()) {
                throw refuse(request, new HostGuardBlockedException("blocked by HostGuard: " + operation.action().eventAction()
                        + " (rule " + decision.rule() + "; event suppressed by the rate limit)", decision.rule(),
                        SUPPRESSED_EVENT_ID));
            }
            return;
        }
        SecurityEvent event = SecurityEvent.of(operation, decision, policy.engine().mode(), auth,
                auth == null ? null : policy.engine().keyName(auth.keyFingerprint()), traced(request.view(), info),
                request.submitter(), Thread.currentThread().getName(),
                ApplicationFrames.capture(policy.policy().events().stackDepth()));
        events.info(EventJson.toJson(event));
        reportSuppressed();
        if (decision.blocked()) {
            throw refuse(request, new HostGuardBlockedException(event.summary(), decision.rule(), event.id()));
        }
    }

    /**
     * {@code info} with its correlation ids, read now, on the thread that decides the event: a tracer's current span
     * here, else the {@code traceparent} of the live request {@code view}, or, in work handed over ({@code view}
     * {@code null}), the ids captured at the hand-over.
     */
    private RequestInfo traced(RequestView view, RequestInfo info) {
        if (info == null) {
            return null; // outside requests
        }
        TraceIds ids = view != null ? headerIds(view) : info.trace();
        try {
            ids = trace().withActiveSpan(ids);
        } catch (Exception e) { // a TracerFailure; caught as Exception: a catch of it would load it with Guard
            hookFailed("tracer-span", e);
        }
        return info.withTrace(ids);
    }

    private RequestTrace trace() {
        RequestTrace made = trace;
        if (made == null) {
            synchronized (this) {
                if (trace == null) {
                    trace = new RequestTrace(requestIdHeader);
                }
                made = trace;
            }
        }
        return made;
    }

    /** The ids of the request's headers; {@code null} when none, or when its server's view failed (fail open). */
    private TraceIds headerIds(RequestView view) {
        try {
            return trace().fromHeaders(view);
        } catch (RuntimeException e) {
            hookFailed("trace-headers", e);
            return null;
        }
    }

    /**
     * The live request keeps its refusal where its server answers later (Micronaut, Undertow), and where its server keeps the
     * refusals of work it handed over (Vert.x, whose event-bus replies lose the exception).
     */
    private HostGuardBlockedException refuse(GuardedRequest request, HostGuardBlockedException refusal) {
        if (request.webSocket() != null) {
            closeWebSocket(request.webSocket(), refusal.eventId());
        }
        RequestView keeper = request.view() != null ? request.view() : request.origin();
        if (keeper != null) {
            refusalKept = true;
            keeper.noteRefusal(refusal);
        }
        return refusal;
    }

    /**
     * A refusal in a WebSocket session's work closes the session with 1008 and the event id, now, before the
     * endpoint sees the exception: the servers answer an endpoint's exception with a close of their own (Tomcat
     * 1006, Jetty 1011), which then finds the session closing.
     */
    private void closeWebSocket(WebSocketSession session, String eventId) {
        try {
            session.closeRefused(eventId);
        } catch (RuntimeException e) {
            hookFailed("websocket-close", e);
        }
    }

    /** Reports every count still held, the current second's included (at shutdown). */
    void reportAllSuppressed() {
        limiter.drainAll(suppressedWriter);
    }

    /** One instance, not a method reference per call: no allocation, and no generated class at start-up. */
    private final EventRateLimiter.Reporter suppressedWriter = new EventRateLimiter.Reporter() {
        @Override
        public void suppressed(String rule, long second, long count) {
            events.info(EventJson.eventsSuppressed(rule, second, count, active.policy().events().perSecond()));
        }
    };

    @Override
    public boolean answerBlocked(RequestScope scope, HostGuardBlockedException blocked) {
        if (scope.request() == SelfCheck.CANARY) {
            return true; // the self-check's canary request: no client, nothing to look up
        }
        RequestView request = RequestViews.of(scope.request(), scope.response());  // null in handed-over work
        try {
            if (request == null) {
                return false;
            }
            if (request.refuse(blocked.rule(), blocked.eventId())) {
                return true; // its own answer: a gRPC call's status
            }
            ResponseTemplate response = active.policy().response();
            return request.respond(response.status(), response.contentType(),
                    response.render(blocked.rule(), blocked.eventId()));
        } catch (Exception e) {
            hookFailed("block-response", e);
            return false;
        }
    }

    @Override
    public Object refusalAnswer(Object request, HostGuardBlockedException refusal) {
        if (refusal == null && !refusalKept) {
            return null; // the common case, every request of a server that answers later: nothing to look at
        }
        RequestView view = RequestViews.of(request, null);
        if (view == null) {
            return null;
        }
        Object refused = refusal != null ? refusal : view.notedRefusal();
        if (!(refused instanceof HostGuardBlockedException blocked)) {
            return null;
        }
        ResponseTemplate response = active.policy().response();
        return view.answer(response.status(), response.contentType(),
                response.render(blocked.rule(), blocked.eventId()));
    }

    @Override
    public void loginChecked(Object request, Object answer) {
        RequestView view = RequestViews.of(request, null);
        if (view != null) {
            view.noteLogin(answer);
        }
    }

    @Override
    public Object loginLoading(Object request, Object pending) {
        RequestView view = RequestViews.of(request, null);
        return view == null ? null : view.whenLoginLoaded(pending);
    }

    @Override
    public void hookFailed(String site, Throwable failure) {
        AgentMetrics.INSTANCE.hookFailed();
        if (failedSites.add(site)) {
            log.warn("hook {} failed and let the operation go ahead; further failures there are only counted",
                    site, failure);
        }
    }
}
