package dev.hostguard.agent.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.config.PolicyParser;
import dev.hostguard.agent.path.ResolvedPath;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine compiled from policy files: allow entries, rule overrides, rules of one's own, auth actions. */
class PolicyFromFileTest {
    private static PolicyEngine engine(String yaml, Mode mode) throws Exception {
        return new PolicyEngine(PolicyParser.parse(yaml, "p.yaml"), mode, List.of());
    }

    private static Operation exec(PolicyEngine engine, String... command) {
        return Operation.processStart(List.of(command), "/srv", engine.processRule(List.of(command)));
    }

    private static Operation file(PolicyEngine engine, FileAccess access, String path) {
        ResolvedPath resolved = new ResolvedPath(path, path, path);
        return Operation.file(access, resolved, engine.pathRules().match(access, resolved));
    }

    private static final String BACKUP = """
            mode: block
            allow:
              - operation: process-start
                executable: pg_dump
                args: ["--format=custom", "--file=/backups/*.dump", "**"]
                route: "POST /backup"
                auth: [api-key]
                reason: nightly backup
            """;

    @Test
    void anAllowEntryLetsExactlyItsOperationGoOnItsRoute() throws Exception {
        PolicyEngine engine = engine(BACKUP, Mode.BLOCK);
        Operation dump = exec(engine, "/usr/bin/pg_dump", "--format=custom", "--file=/backups/db.dump", "db");
        Decision allowed = engine.decide(dump, AuthClass.API_KEY, "POST", "/backup");
        assertFalse(allowed.allowed(), "an allowed finding is still written");
        assertEquals("allowed", allowed.eventDecision());
        assertEquals(1, allowed.allowedBy().index());
        assertEquals("nightly backup", allowed.allowedBy().reason());
        assertEquals("process-start", allowed.rule());
        // "**" takes any number of remaining arguments, also none
        assertEquals("allowed", engine.decide(exec(engine, "pg_dump", "--format=custom", "--file=/backups/x.dump"),
                AuthClass.API_KEY, "post", "/backup").eventDecision());

        assertTrue(engine.decide(dump, AuthClass.API_KEY, "GET", "/backup").blocked(), "another method");
        assertTrue(engine.decide(dump, AuthClass.API_KEY, "POST", "/backup/x").blocked(), "another route");
        assertTrue(engine.decide(dump, AuthClass.NONE, "POST", "/backup").blocked(), "another auth class");
        assertTrue(engine.decide(dump, AuthClass.API_KEY, null, null).blocked(), "no route");
        assertTrue(engine.decide(exec(engine, "pg_dump", "--format=plain", "--file=/backups/x.dump"),
                AuthClass.API_KEY, "POST", "/backup").blocked(), "another argument");
        assertTrue(engine.decide(exec(engine, "pg_dump", "--format=custom", "--file=/backups/../etc/x.dump"),
                AuthClass.API_KEY, "POST", "/backup").blocked(), "'*' stays within one path segment");
        assertTrue(engine.decide(exec(engine, "pg_dump", "--format=custom"), AuthClass.API_KEY, "POST", "/backup")
                .blocked(), "too few arguments");
        assertTrue(engine.decide(exec(engine, "sh", "-c", "pg_dump --format=custom --file=/backups/x.dump"),
                AuthClass.API_KEY, "POST", "/backup").blocked(), "a shell on the same route");
    }

    /** An entry that allows a route to connect to a socket allows it to use a connection to it made before. */
    @Test
    void aUnixConnectEntryAllowsTheUseOfAKeptConnectionOnItsRoute() throws Exception {
        PolicyEngine engine = engine("""
                mode: block
                allow:
                  - operation: unix-connect
                    path: /run/docker.sock
                    route: "GET /containers"
                    reason: the container list
                """, Mode.BLOCK);
        ResolvedPath socket = new ResolvedPath("/var/run/docker.sock", "/var/run/docker.sock", "/run/docker.sock");
        for (FileAccess use : new FileAccess[] {FileAccess.WRITE, FileAccess.READ}) {
            Operation op = Operation.connectionUse(use, socket, engine.pathRules().match(use, socket));
            assertTrue(op.connectionUse());
            assertEquals("runtime-socket", op.rule().id());
            assertEquals("allowed", engine.decide(op, AuthClass.API_KEY, "GET", "/containers").eventDecision());
            assertTrue(engine.decide(op, AuthClass.API_KEY, "POST", "/containers").blocked(), "another route");
        }
    }

    @Test
    void anAllowedFindingInAuditModeIsStillAllowed() throws Exception {
        PolicyEngine engine = engine(BACKUP, Mode.AUDIT);
        Operation dump = exec(engine, "pg_dump", "--format=custom", "--file=/backups/db.dump");
        assertEquals("allowed", engine.decide(dump, AuthClass.API_KEY, "POST", "/backup").eventDecision());
        assertEquals("logged", engine.decide(exec(engine, "sh"), AuthClass.API_KEY, "POST", "/backup").eventDecision());
    }

    @Test
    void theCallerIsCheckedOnTheStack() throws Exception {
        String policy = """
                allow:
                  - operation: file-open
                    path: /etc/shadow
                    caller: %s
                    reason: r
                """;
        PolicyEngine mine = engine(policy.formatted("dev.hostguard.agent.policy."), Mode.BLOCK);
        assertEquals("allowed", mine.decide(file(mine, FileAccess.READ, "/etc/shadow"), AuthClass.NONE, "GET", "/")
                .eventDecision());
        PolicyEngine exact = engine(policy.formatted(PolicyFromFileTest.class.getName()), Mode.BLOCK);
        assertEquals("allowed", exact.decide(file(exact, FileAccess.READ, "/etc/shadow"), AuthClass.NONE, "GET", "/")
                .eventDecision());
        PolicyEngine other = engine(policy.formatted("com.example."), Mode.BLOCK);
        assertTrue(other.decide(file(other, FileAccess.READ, "/etc/shadow"), AuthClass.NONE, "GET", "/").blocked());
        // the entry's access (read by default) narrows it too
        assertTrue(mine.decide(file(mine, FileAccess.WRITE, "/etc/shadow"), AuthClass.NONE, "GET", "/").blocked());
    }

    @Test
    void rulesAreSwitchedOffOrDowngradedByIdOrCategory() throws Exception {
        PolicyEngine engine = engine("""
                rules:
                  - id: sensitive-listing
                    action: off
                  - category: reconnaissance
                    action: log
                  - id: proc-cmdline
                    action: log
                  - category: credentials
                    action: log
                  - id: credentials
                    action: block
                """, Mode.BLOCK);
        assertNull(file(engine, FileAccess.LIST, "/proc").rule(), "switched off: no rule matches");
        Operation recon = file(engine, FileAccess.READ, "/proc/sched_debug");
        assertEquals(Decision.Verdict.LOG, engine.decide(recon, AuthClass.API_KEY).verdict());
        assertEquals(Decision.Verdict.LOG, engine.decide(file(engine, FileAccess.READ, "/proc/1/cmdline"),
                AuthClass.API_KEY).verdict());
        assertEquals(Decision.Verdict.BLOCK, engine.decide(file(engine, FileAccess.READ, "/etc/shadow"),
                AuthClass.API_KEY).verdict(), "an id entry wins over its category's");
        assertEquals(Decision.Verdict.BLOCK, engine.decide(file(engine, FileAccess.READ, "/proc/1/environ"),
                AuthClass.API_KEY).verdict(), "untouched");
    }

    @Test
    void rulesOfOnesOwnMatchPathsSocketsAndCommands() throws Exception {
        PolicyEngine engine = engine("""
                rules:
                  - id: process-start
                    action: off
                  - id: app-secrets
                    category: application secrets
                    paths: ["/etc/myapp/secrets/**", "/srv/*/key", "/dev/tty*"]
                    access: [read]
                  - id: vault
                    sockets: [vault-agent.sock]
                    action: log
                  - id: shells
                    commands: [sh, bash, /opt/tools/*]
                """, Mode.BLOCK);
        assertEquals("app-secrets", file(engine, FileAccess.READ, "/etc/myapp/secrets/db/password").rule().id());
        assertEquals("app-secrets", file(engine, FileAccess.READ, "/etc/myapp/secrets").rule().id());
        assertEquals("app-secrets", file(engine, FileAccess.READ, "/srv/a/key").rule().id());
        assertEquals("app-secrets", file(engine, FileAccess.READ, "/dev/ttyS0").rule().id());
        assertNull(file(engine, FileAccess.WRITE, "/etc/myapp/secrets/x").rule(), "only the accesses named");
        assertNull(file(engine, FileAccess.READ, "/etc/myapp/config").rule());
        Operation vault = file(engine, FileAccess.CONNECT, "/run/vault/vault-agent.sock");
        assertEquals("vault", vault.rule().id());
        assertEquals(Decision.Verdict.LOG, engine.decide(vault, AuthClass.API_KEY).verdict());
        assertEquals("shells", exec(engine, "/bin/sh", "-c", "id").rule().id());
        assertEquals("shells", exec(engine, "bash").rule().id());
        assertEquals("shells", exec(engine, "/opt/tools/x").rule().id());
        assertNull(exec(engine, "ls", "-l").rule(), "process-start is off: other commands are no finding");
        assertEquals(List.of("app-secrets", "vault", "shells"),
                engine.addedRules().stream().map(Rule::id).toList());
    }

    @Test
    void theActionPerAuthenticationClassIsTheCeiling() throws Exception {
        PolicyEngine engine = engine("""
                auth: {api-key: log, none: allow, user: block, mtls: allow, outside-request: block}
                """, Mode.BLOCK);
        Operation ls = exec(engine, "ls");
        assertEquals(Decision.Verdict.LOG, engine.decide(ls, AuthClass.API_KEY).verdict());
        assertSame(Decision.ALLOW, engine.decide(ls, AuthClass.NONE));
        assertFalse(engine.guards(AuthClass.NONE, null), "an allowed class is not even classified further");
        assertEquals(Decision.Verdict.BLOCK, engine.decide(ls, AuthClass.USER).verdict());
        assertTrue(engine.guards(AuthClass.USER, null));
        assertEquals(Decision.Verdict.BLOCK, engine.decide(ls, null).verdict(), "outside any request");
        assertTrue(engine.guardsOutsideRequest());
        assertFalse(new PolicyEngine(Mode.BLOCK).guardsOutsideRequest());
    }

    @Test
    void outsideRequestsUnsetLogsTheEscapesAndJudgesNothingElse() throws Exception {
        PolicyEngine byDefault = new PolicyEngine(Mode.BLOCK);
        assertFalse(byDefault.guardsOutsideRequest(), "file opens outside requests stay unjudged");
        assertTrue(byDefault.logsOutsideEscapes());
        assertEquals(Decision.Verdict.LOG, byDefault.decide(exec(byDefault, "docker"), null).verdict(),
                "logged, never refused, in block mode");
        for (String set : new String[] {"allow", "log", "block"}) {
            PolicyEngine engine = engine("auth: {outside-request: " + set + "}\n", Mode.BLOCK);
            assertFalse(engine.logsOutsideEscapes(), "outside-request: " + set + " decides for every operation");
            assertEquals(!set.equals("allow"), engine.guardsOutsideRequest(), set);
        }
        assertSame(Decision.ALLOW, engine("auth: {outside-request: allow}\n", Mode.BLOCK)
                .decide(exec(byDefault, "docker"), null));
        assertFalse(engine("mode: off\n", Mode.OFF).logsOutsideEscapes(), "mode off judges nothing");
    }

    @Test
    void modeOffInAReloadJudgesNothing() throws Exception {
        PolicyEngine off = engine("mode: off\n", Mode.OFF);
        assertFalse(off.guards(AuthClass.API_KEY, null));
        assertSame(Decision.ALLOW, off.decide(exec(off, "sh"), AuthClass.API_KEY));
    }

    @Test
    void deciding_aFindingAllocatesNoDecision() throws Exception {
        PolicyEngine engine = engine("mode: block\n", Mode.BLOCK);
        Operation ls = exec(engine, "ls");
        assertSame(engine.decide(ls, AuthClass.API_KEY), engine.decide(ls, AuthClass.NONE));
    }
}
