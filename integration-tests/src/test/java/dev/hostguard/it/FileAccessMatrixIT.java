package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostguard.demo.Actions;
import dev.hostguard.demo.dockerstandin.DockerStandIn;
import dev.hostguard.it.FileShapes.Kind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every file-open, directory-listing and Unix-connect shape of the demo's action table, through both servers, in
 * both modes, with each credential class, on every JDK, against sensitive targets that exist on any Linux machine
 * the build runs on (as root), each spelled the ways an attacker would spell it.
 *
 * <p>Targets and the proof that the operation happened (audit, or a logged-in user) or did not (block):
 * <ul>
 *   <li>reads: {@code /proc/self/environ} (the server runs with {@code DEMO_CANARY=canary-<random>}: the canary is
 *       in the answer, or not), {@code /proc/self/cmdline} ({@code -javaagent:}), {@code /proc/self/mountinfo} (a
 *       mount line), {@code /etc/shadow} ({@code root:})</li>
 *   <li>writes: a fresh file in the server's working directory reached through {@code /proc/<self>/cwd/}
 *       (rule {@code proc-magic-links}), and a fresh {@code <temp>/cgroup/<case>/release_agent}
 *       ({@code cgroup-release-agent}, a basename rule): the file holds the data, or does not exist</li>
 *   <li>listings: {@code /proc} (the server's own pid among the names) and {@code /proc/<pid>} ({@code environ}
 *       among them)</li>
 *   <li>connect: a {@link DockerStandIn} on {@code <dir>/docker.sock} (under {@code /run} when this machine lets
 *       us, so that {@code /var/run} can be tried too): its record file has the request's line, or, once a later
 *       allowed connect has been recorded, none (the stand-in serves connections one at a time, in order)</li>
 * </ul>
 * Spellings: absolute; {@code /proc/<pid>}, {@code /proc/self}, {@code /proc/thread-self} for the server's own
 * {@code /proc} entries; relative to the server's working directory; with {@code .}, {@code ..} and {@code //}; a
 * symlink planted in a temp dir right before the request; {@code /var/run} for {@code /run}. The
 * {@code secure-directory-*} shapes ({@code openat} relative to an opened parent) run only where opening that
 * parent is not itself a sensitive listing (so through a symlink in a temp dir, or {@code /etc} for
 * {@code /etc/shadow}); their event is the target's, not the parent's.
 *
 * <p>One server JVM per (JDK, server, mode), as in {@link ProcessStartMatrixIT}. Each container first runs one
 * probe per kind (read, write, list, connect) with the API key; when a probe fails, the agent does not guard that
 * kind in that JVM, and the kind's other API-key and no-credential cases are skipped rather than each waiting for
 * an event that cannot come (the probe's failure says why). A logged-in user's cases always run.
 */
class FileAccessMatrixIT {
    private static final String TEST = FileAccessMatrixIT.class.getSimpleName();
    private static final List<String> MODES = List.of("audit", "block");
    /** Parents a {@code secure-directory-*} shape must not open, since listing them is itself a finding. */
    private static final Pattern SENSITIVE_DIRECTORY = Pattern.compile(
            "/|/proc(/(self|thread-self|\\d+)(/task(/\\d+)?)?)?|/sys|/root|/home|/var/log|/run/log"
                    + "|/proc/[^/]+/(task/\\d+/)?(root|cwd|fd|map_files)(/.*)?|/dev/fd(/.*)?");
    /**
     * How long a probe waits for its event. The agent writes an event while the request is served, before the answer
     * (what {@link EventLog#assertNothingLoggedSince} relies on too), so it is in the file when the answer is; this
     * bound only keeps a JVM whose agent does not guard files from costing 15 s per kind.
     */
    private static final Duration PROBE_EVENT_WAIT = Duration.ofSeconds(5);
    private static final Pattern MOUNT_LINE = Pattern.compile("(?m)^\\d+ \\d+ \\d+:\\d+ ");

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ServiceSlots SLOTS = new ServiceSlots();

    /** How a request spells a target's path. */
    enum Spelling {
        ABSOLUTE("absolute"),
        PROC_PID("/proc/<pid>"),
        PROC_SELF("/proc/self"),
        PROC_THREAD_SELF("/proc/thread-self"),
        RELATIVE("relative to the working directory"),
        DOTS("with . .. //"),
        SYMLINK("through a symlink planted just before"),
        VAR_RUN("/var/run for /run");

        private final String label;

        Spelling(String label) {
            this.label = label;
        }
    }

    /** A sensitive path, the rule it must match, and the spellings it is tried with. */
    enum Target {
        ENVIRON(Kind.READ, "proc-environ", "/proc/self/environ", Spelling.PROC_PID, Spelling.PROC_SELF,
                Spelling.PROC_THREAD_SELF, Spelling.RELATIVE, Spelling.DOTS, Spelling.SYMLINK),
        CMDLINE(Kind.READ, "proc-cmdline", "/proc/self/cmdline", Spelling.PROC_SELF),
        MOUNTINFO(Kind.READ, "recon", "/proc/self/mountinfo", Spelling.PROC_SELF),
        SHADOW(Kind.READ, "credentials", "/etc/shadow", Spelling.ABSOLUTE, Spelling.SYMLINK),
        CWD_FILE(Kind.WRITE, "proc-magic-links", "/proc/self/cwd/<fresh file>", Spelling.PROC_PID,
                Spelling.PROC_SELF, Spelling.PROC_THREAD_SELF, Spelling.RELATIVE, Spelling.DOTS),
        RELEASE_AGENT(Kind.WRITE, "cgroup-release-agent", "<temp>/cgroup/<case>/release_agent", Spelling.ABSOLUTE,
                Spelling.RELATIVE, Spelling.DOTS, Spelling.SYMLINK),
        PROC(Kind.LIST, "sensitive-listing", "/proc", Spelling.ABSOLUTE, Spelling.RELATIVE, Spelling.DOTS,
                Spelling.SYMLINK),
        OWN_PROCESS(Kind.LIST, "sensitive-listing", "/proc/self", Spelling.PROC_PID, Spelling.PROC_SELF,
                Spelling.PROC_THREAD_SELF, Spelling.SYMLINK),
        DOCKER_SOCKET(Kind.CONNECT, "runtime-socket", "<dir>/docker.sock", Spelling.ABSOLUTE, Spelling.VAR_RUN,
                Spelling.RELATIVE, Spelling.DOTS, Spelling.SYMLINK);

        private final Kind kind;
        private final String rule;
        private final String label;
        private final List<Spelling> spellings;

        Target(Kind kind, String rule, String label, Spelling... spellings) {
            this.kind = kind;
            this.rule = rule;
            this.label = label;
            this.spellings = List.of(spellings);
        }

        boolean inOwnProc() {
            return label.startsWith("/proc/self");
        }
    }

    /** One (shape, target, spelling). */
    private record Case(String shape, Target target, Spelling spelling) {
        /**
         * False for an {@code openat} shape whose parent directory is itself a sensitive listing (the parent of
         * {@code /proc/self/environ}, of {@code /proc}, ...): opening that parent would be the finding. A symlink
         * planted in a temp dir has a harmless parent.
         */
        boolean applies() {
            return !FileShapes.opensParentFirst(shape) || spelling == Spelling.SYMLINK
                    || !SENSITIVE_DIRECTORY.matcher(String.valueOf(Path.of(target.label).getParent())).matches();
        }

        String describe() {
            return target.kind.name().toLowerCase() + " " + shape + " " + target.label + " (" + target.rule
                    + ") spelled " + spelling.label;
        }
    }

    /** The probe of each kind: the plainest case, sent with the API key before all others. */
    private static final Map<Kind, Case> PROBES = Map.of(
            Kind.READ, new Case("file-input-stream", Target.ENVIRON, Spelling.PROC_SELF),
            Kind.WRITE, new Case("file-output-stream", Target.CWD_FILE, Spelling.PROC_SELF),
            Kind.LIST, new Case("file-list", Target.PROC, Spelling.ABSOLUTE),
            Kind.CONNECT, new Case("unix-connect", Target.DOCKER_SOCKET, Spelling.ABSOLUTE));

    @TestFactory
    Stream<DynamicNode> fileAccess() {
        return Jdks.all().stream().map(jdk -> dynamicContainer("JDK " + jdk.version(),
                GuardedServer.WITH_EVERY_ROUTE.stream().map(server -> dynamicContainer(server.displayName(),
                        MODES.stream().map(mode -> forService(jdk, server, mode))))));
    }

    /** The matrix must grow with the demo: every file action of the demo is a shape here. */
    @Test
    void coversEveryFileShapeOfTheDemo() {
        assertEquals(new TreeSet<>(FileShapes.ALL), new TreeSet<>(Actions.fileActions()),
                "FileShapes.ALL vs the demo's Actions.fileActions()");
    }


    private DynamicContainer forService(Jdks.Jdk jdk, GuardedServer server, String mode) {
        Path dir = tmp.resolve(jdk.label() + "-" + server.id() + "-" + mode);
        String canary = "canary-" + UUID.randomUUID().toString().replace("-", "");
        UnaryOperator<ServiceProcess.Builder> unlimited = GuardedService.withPolicy(dir.resolve("policy.yaml"),
                GuardedService.UNLIMITED_EVENTS_POLICY);
        ServiceSlot slot = new ServiceSlot(TEST, jdk, server, mode, dir, b -> unlimited.apply(
                server == GuardedServer.HTTPSERVER_APP
                ? b.env("DEMO_CANARY", canary).env("BOOT_READ", "/proc/self/environ") : b.env("DEMO_CANARY", canary)));
        SLOTS.add(slot);
        Fixture fx = new Fixture(slot, canary);
        String at = slot.label();
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(dynamicTest(at + "start " + server.id() + " with -javaagent mode=" + mode
                + " and DEMO_CANARY in its environment; Docker stand-in listening", fx::start));
        tests.add(dynamicTest(at + "a sensitive file read at boot, outside any request (/proc/self/environ), logs no event",
                fx::bootRead));
        for (Kind kind : Kind.values()) {
            Case probe = PROBES.get(kind);
            tests.add(dynamicTest(at + "probe " + probe.describe() + " | " + caseOutcome(server, mode, Credentials.API_KEY,
                    kind), () -> fx.probe(probe)));
        }
        for (Target target : Target.values()) {
            for (String shape : FileShapes.of(target.kind)) {
                for (Spelling spelling : target.spellings) {
                    Case c = new Case(shape, target, spelling);
                    if (!c.applies()) {
                        continue;
                    }
                    for (Credentials credentials : Credentials.values()) {
                        tests.add(dynamicTest(at + c.describe() + " | " + caseOutcome(server, mode, credentials, target.kind),
                                () -> fx.run(c, credentials)));
                    }
                }
            }
        }
        tests.add(dynamicTest(at + "stop: no agent WARN/ERROR; neither the API key nor the canary in the events or the log",
                fx::stop));
        return dynamicContainer("mode=" + mode, tests.stream());
    }

    private static String caseOutcome(GuardedServer server, String mode, Credentials credentials, Kind kind) {
        boolean blocked = credentials.guarded() && mode.equals("block");
        String outcome = blocked ? "403, not " + kind.done() + ", event blocked"
                : credentials.guarded() ? "200, " + kind.done() + ", event logged" : "200, " + kind.done() + ", no event";
        return credentials.authClass() + " on " + server.fileRoute(credentials) + " -> " + outcome;
    }

    /** One case made concrete: the path to send, what to check, where a write lands. */
    private record Prepared(String given, List<Pattern> paths, Path written, String data) {
    }

    /** The state of one (JDK, server, mode) container beyond its service. */
    private static final class Fixture {
        private final ServiceSlot slot;
        private final String canary;
        private final Map<Kind, String> probeFailures = new EnumMap<>(Kind.class);
        private DockerStandIn standIn;
        private Path socket;
        private boolean socketUnderRun;
        private int cases;

        Fixture(ServiceSlot slot, String canary) {
            this.slot = slot;
            this.canary = canary;
        }

        void start() throws IOException {
            slot.start();
            Files.createDirectories(slot.dir().resolve("links"));
            Files.createDirectories(slot.dir().resolve("cgroup"));
            Path socketDir = runDirectory();
            socketUnderRun = socketDir != null;
            if (socketDir == null) {
                socketDir = slot.dir().resolve("sock");
            } else {
                Path created = socketDir;
                slot.onStop(() -> deleteTree(created));
            }
            standIn = DockerStandIn.start(socketDir.resolve("docker.sock"), slot.dir().resolve("stand-in.jsonl"));
            slot.onStop(standIn);
            socket = standIn.socket().getParent().toRealPath().resolve("docker.sock");
        }

        /**
         * A fresh directory under {@code /run} if {@code /var/run} is a link to it and it is writable (as in CI,
         * where the build runs as root), else null.
         */
        private static Path runDirectory() {
            Path run = Path.of("/run");
            try {
                if (!Files.isSymbolicLink(Path.of("/var/run")) || !Path.of("/var/run").toRealPath().equals(run)
                        || !Files.isWritable(run)) {
                    return null;
                }
                return Files.createDirectory(run.resolve("hostguard-it-" + UUID.randomUUID().toString().substring(0, 8)));
            } catch (IOException e) {
                return null;
            }
        }

        void stop() throws Exception {
            GuardedService s = slot.require();
            slot.stop();
            assertFalse(s.events().rawText().contains(canary), "the canary (file content) is in the events file");
            assertFalse(s.process().logText().contains(canary), "the canary (file content) is in the server log");
        }

        /** The httpserver app read {@code BOOT_READ=/proc/self/environ} before it served anything: no event. */
        void bootRead() {
            GuardedService service = slot.require();
            Assumptions.assumeTrue(service.server() == GuardedServer.HTTPSERVER_APP,
                    "the demo reads no file at boot; the httpserver app does (BOOT_READ)");
            assertTrue(service.process().anyLine(l -> l.startsWith("httpserver-app boot read done")),
                    "the httpserver app did not report its boot read");
            Path marker = service.marker("after-boot");
            service.events().assertNothingLoggedSince(0, "for the boot-time read of /proc/self/environ",
                    () -> service.exec(Credentials.NONE, "process-builder", "touch " + marker).send(),
                    EventLog.hasProcessArg(marker.toString()));
        }

        void probe(Case probe) throws Exception {
            try {
                run(probe, Credentials.API_KEY, PROBE_EVENT_WAIT);
            } catch (AssertionError | RuntimeException e) {
                probeFailures.put(probe.target.kind, String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
                throw e;
            }
        }

        void run(Case c, Credentials credentials) throws Exception {
            run(c, credentials, EventLog.DEFAULT_WAIT);
        }

        /** One request, and everything that must and must not follow from it. */
        void run(Case c, Credentials credentials, Duration eventWait) throws Exception {
            GuardedService service = slot.require();
            Kind kind = c.target.kind;
            if (credentials.guarded() && probeFailures.containsKey(kind)) {
                Assumptions.abort("not run: the " + kind.name().toLowerCase() + " probe failed in this JVM, so the "
                        + "agent does not guard it here (" + probeFailures.get(kind) + ")");
            }
            if (c.target == Target.SHADOW && !Files.isReadable(Path.of("/etc/shadow"))) {
                Assumptions.abort("/etc/shadow is not readable here (the build does not run as root)");
            }
            Prepared p = prepare(service, c);
            boolean blocked = credentials.guarded() && service.blocking();
            EventLog events = service.events();
            int before = events.count();
            int recordedBefore = standIn.recordedLines().size();

            HttpTestClient.Get request = service.file(credentials, c.shape, p.given);
            if (p.data != null) {
                request.query("data", p.data);
            }
            HttpTestClient.Response response = request.send();

            FileAccessEvent expected = new FileAccessEvent(blocked, service.mode(), credentials.authClass(),
                    service.server().fileRoute(credentials), kind, c.target.rule, p.paths, p.given,
                    service.workingDirectory(), !FileShapes.opensParentFirst(c.shape),
                    credentials == Credentials.API_KEY ? service.secrets().apiKeyFingerprint() : null);
            if (blocked) {
                assertNotDone(service, c, p, response, recordedBefore);
                JsonNode event = events.awaitSince(before, "for " + c.describe(), expected.identifies(), eventWait);
                expected.assertMatches(event);
                GuardAssertions.assertOnlyEvents(events, before, List.of(expected.identifies()));
                String eventId = ProcessStartEvent.assertBlockResponse(response, c.target.rule);
                assertEquals(event.path("event").path("id").asText(), eventId, "403 event_id vs the event's event.id");
            } else {
                assertEquals(200, response.status(), () -> "expected 200, got " + response);
                assertDone(service, c, p, response, recordedBefore);
                if (credentials.guarded()) {
                    events.awaitSince(before, "for " + c.describe(), expected.identifies(), eventWait);
                    List<JsonNode> logged = events.since(before);
                    int opens = opensWhenAllowed(c);
                    assertEquals(opens, logged.size(), () -> "expected " + opens + " event(s), one per open the JDK "
                            + "makes, got:\n" + EventLog.describe(logged));
                    logged.forEach(expected::assertMatches);
                } else {
                    Path followUp = service.marker("follow-up-" + cases);
                    events.assertNothingLoggedSince(before, "for a " + credentials.authClass() + " request",
                            () -> service.exec(Credentials.NONE, "process-builder", "touch " + followUp).send(),
                            EventLog.hasProcessArg(followUp.toString()));
                }
            }
            assertFalse(events.rawText().contains(canary), "the canary (file content) is in the events file");
            GuardAssertions.assertKeyNotLeaked(service);
            service.process().assertNoUnexpectedAgentProblems();
        }

        /**
         * How many times the JDK opens the target when nothing stops it: once, except {@code Files.lines} on a
         * file whose size reads 0 (every {@code /proc/<pid>/*} file): it opens a {@code FileChannel}, finds no size
         * to split by, closes it and opens the file again through a reader (JDK 17 and 25). Each open is a finding
         * and is logged; a refusal stops the first one, so block mode always has one event.
         */
        private static int opensWhenAllowed(Case c) {
            return c.shape.equals("files-lines") && c.target.inOwnProc() ? 2 : 1;
        }

        /** The path to send for the case (planting a symlink or creating a directory where needed). */
        private Prepared prepare(GuardedService service, Case c) throws IOException {
            int n = ++cases;
            String pid = String.valueOf(service.pid());
            Path cwd = service.workingDirectory();
            String base;
            List<Pattern> paths = new ArrayList<>();
            Path written = null;
            String data = null;
            switch (c.target) {
                case CWD_FILE -> {
                    String name = "written-" + n + ".txt";
                    base = "/proc/self/cwd/" + name;
                    written = cwd.resolve(name);
                    data = "hostguard-it " + n;
                    paths.add(Pattern.compile(Pattern.quote(cwd.toRealPath().resolve(name).toString())));
                }
                case RELEASE_AGENT -> {
                    Path parent = Files.createDirectories(slot.dir().resolve("cgroup").resolve("c" + n)).toRealPath();
                    written = parent.resolve("release_agent");
                    base = written.toString();
                    data = "hostguard-it " + n;
                }
                case DOCKER_SOCKET -> base = socket.toString();
                default -> base = c.target.label;
            }
            if (c.target.inOwnProc()) {
                String rest = base.substring("/proc/self".length());
                paths.add(Pattern.compile(Pattern.quote("/proc/" + pid + rest)));
                paths.add(Pattern.compile(Pattern.quote("/proc/" + pid) + "/task/\\d+" + Pattern.quote(rest)));
            } else if (c.target != Target.CWD_FILE) {
                Path real = Files.exists(Path.of(base)) ? Path.of(base).toRealPath()
                        : Path.of(base).getParent().toRealPath().resolve(Path.of(base).getFileName());
                paths.add(Pattern.compile(Pattern.quote(real.toString())));
            }
            String given = spell(c.spelling, base, pid, cwd, n);
            if (FileShapes.opensParentFirst(c.shape) && parentIsSensitive(given, cwd)) {
                throw new IllegalStateException("case set-up error: " + c.shape + " would open the sensitive parent of "
                        + given + " first");
            }
            return new Prepared(given, paths, written, data);
        }

        private String spell(Spelling spelling, String base, String pid, Path cwd, int n) throws IOException {
            return switch (spelling) {
                case ABSOLUTE, PROC_SELF -> base;
                case PROC_PID -> base.replaceFirst("^/proc/self(?=/|$)", "/proc/" + pid);
                case PROC_THREAD_SELF -> base.replaceFirst("^/proc/self(?=/|$)", "/proc/thread-self");
                case RELATIVE -> cwd.relativize(Path.of(base)).toString();
                case DOTS -> dots(base);
                case SYMLINK -> {
                    Path link = slot.dir().resolve("links").resolve("link-" + n);
                    Files.createSymbolicLink(link, Path.of(base));
                    yield link.toString();
                }
                case VAR_RUN -> {
                    if (!socketUnderRun || !base.startsWith("/run/")) {
                        Assumptions.abort("no socket under /run on this machine (/var/run is no link to a writable "
                                + "/run), so /var/run cannot be tried");
                    }
                    yield "/var" + base;
                }
            };
        }

        /**
         * {@code /a/b/c} as {@code /a/./../a//b/c}, {@code /a} as {@code /.//a/../a/.}: the same file, lexically and
         * for the kernel, as long as {@code a} is a real directory (checked).
         */
        private static String dots(String base) {
            String[] segments = base.substring(1).split("/");
            if (Files.isSymbolicLink(Path.of("/", segments[0]))) {
                Assumptions.abort("/" + segments[0] + " is a symlink: '..' after it would leave it");
            }
            if (segments.length == 1) {
                return "/.//" + segments[0] + "/../" + segments[0] + "/.";
            }
            return "/" + segments[0] + "/./../" + segments[0] + "//" + base.substring(segments[0].length() + 2);
        }

        private static boolean parentIsSensitive(String given, Path cwd) {
            Path parent = cwd.resolve(given).normalize().getParent();
            if (parent == null || SENSITIVE_DIRECTORY.matcher(parent.toString()).matches()) {
                return true;
            }
            try {
                return SENSITIVE_DIRECTORY.matcher(parent.toRealPath().toString()).matches();
            } catch (IOException e) {
                return false;
            }
        }

        /** The operation happened: the answer carries what was read or listed, the file was written, Docker was reached. */
        private void assertDone(GuardedService service, Case c, Prepared p, HttpTestClient.Response response,
                                int recordedBefore) throws IOException {
            String body = response.body();
            switch (c.target) {
                case ENVIRON -> assertTrue(body.contains(canary), () -> "the canary was not read: " + clip(body));
                case CMDLINE -> assertTrue(body.contains("-javaagent:"), () -> "the command line was not read: " + clip(body));
                case MOUNTINFO -> assertTrue(MOUNT_LINE.matcher(body).find(), () -> "no mount line was read: " + clip(body));
                case SHADOW -> assertTrue(body.contains("root:"), () -> "/etc/shadow was not read: " + clip(body));
                case CWD_FILE, RELEASE_AGENT -> {
                    assertTrue(body.startsWith("written "), () -> "unexpected answer: " + clip(body));
                    assertTrue(Files.exists(p.written, LinkOption.NOFOLLOW_LINKS), "the file was not written: " + p.written);
                    assertEquals(p.data, Files.readString(p.written, StandardCharsets.UTF_8), "content of " + p.written);
                }
                case PROC -> assertTrue(body.lines().anyMatch(String.valueOf(service.pid())::equals)
                        && body.lines().anyMatch("self"::equals), () -> "/proc was not listed: " + clip(body));
                case OWN_PROCESS -> assertTrue(body.lines().anyMatch("environ"::equals)
                        && body.lines().anyMatch("cmdline"::equals), () -> "/proc/<pid> was not listed: " + clip(body));
                case DOCKER_SOCKET -> {
                    assertTrue(body.startsWith("status=200"), () -> "the stand-in did not answer: " + clip(body));
                    List<String> lines = recordedSince(recordedBefore);
                    assertEquals(1, lines.size(), () -> "expected the stand-in to record this one connect: " + lines);
                    assertTrue(lines.get(0).contains("\"path\":\"/_ping\""), () -> "recorded: " + lines);
                }
            }
        }

        /** The operation did not happen: nothing read or listed reached the client, no file, Docker never saw it. */
        private void assertNotDone(GuardedService service, Case c, Prepared p, HttpTestClient.Response response,
                                   int recordedBefore) throws IOException {
            String body = response.body();
            switch (c.target) {
                case ENVIRON -> assertFalse(body.contains(canary), () -> "blocked, yet the canary was read: " + clip(body));
                case CMDLINE -> assertFalse(body.contains("-javaagent:"), () -> "blocked, yet read: " + clip(body));
                case MOUNTINFO -> assertFalse(MOUNT_LINE.matcher(body).find(), () -> "blocked, yet read: " + clip(body));
                case SHADOW -> assertFalse(body.contains("root:"), () -> "blocked, yet read: " + clip(body));
                case CWD_FILE, RELEASE_AGENT -> assertFalse(Files.exists(p.written, LinkOption.NOFOLLOW_LINKS),
                        () -> "blocked, yet the file was written: " + p.written + " (response " + clip(body) + ")");
                case PROC -> assertFalse(body.lines().anyMatch("self"::equals), () -> "blocked, yet listed: " + clip(body));
                case OWN_PROCESS -> assertFalse(body.lines().anyMatch("environ"::equals),
                        () -> "blocked, yet listed: " + clip(body));
                case DOCKER_SOCKET -> {
                    // the stand-in serves one connection at a time, in order: once this allowed connect is recorded,
                    // any connect the blocked request made would be recorded before it
                    HttpTestClient.Response followUp = service.file(Credentials.USER_LOGIN, "unix-connect",
                            socket.toString()).send();
                    assertEquals(200, followUp.status(), () -> "the logged-in follow-up connect failed: " + followUp);
                    List<String> lines = recordedSince(recordedBefore);
                    assertEquals(1, lines.size(), () -> "blocked, yet the stand-in accepted a connection before the "
                            + "follow-up's: " + lines);
                }
            }
        }

        private List<String> recordedSince(int before) throws IOException {
            List<String> lines = standIn.recordedLines();
            return lines.subList(Math.min(before, lines.size()), lines.size());
        }

        private static String clip(String body) {
            return body.length() <= 300 ? body : body.substring(0, 300) + "...";
        }

        private static void deleteTree(Path dir) throws IOException {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
    }
}
