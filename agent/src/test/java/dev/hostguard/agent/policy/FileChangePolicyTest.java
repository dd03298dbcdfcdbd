package dev.hostguard.agent.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.config.InvalidPolicyException;
import dev.hostguard.agent.config.PolicyParser;
import dev.hostguard.agent.path.ResolvedPath;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The policy's side of file changes: rule accesses, allow entries for the new operations, the engine's verdicts. */
class FileChangePolicyTest {
    private static PolicyEngine engine(String yaml) throws Exception {
        return new PolicyEngine(PolicyParser.parse(yaml, "p.yaml"), Mode.BLOCK, List.of("/mnt/host"));
    }

    private static ResolvedPath at(String path) {
        return new ResolvedPath(path, path, path);
    }

    private static Operation change(PolicyEngine engine, Action action, FileAccess access, String path) {
        ResolvedPath resolved = at(path);
        return Operation.fileChange(action, access, resolved, null, null, engine.pathRules().match(access, resolved));
    }

    @Test
    void aPolicyPathRefusesChangesUnlessItsAccessSaysOtherwise() throws Exception {
        PolicyEngine engine = engine("""
                rules:
                  - id: app-secrets
                    paths: [/srv/secrets/**]
                  - id: reports
                    paths: [/srv/reports/**]
                    access: [read, change]
                  - id: uploads
                    paths: [/srv/uploads/**]
                    access: [write]
                """);
        assertEquals("app-secrets", engine.pathRules().match(FileAccess.CHANGE, at("/srv/secrets/db")).id());
        assertEquals("reports", engine.pathRules().match(FileAccess.CHANGE, at("/srv/reports/q1")).id());
        assertEquals(null, engine.pathRules().match(FileAccess.CHANGE, at("/srv/uploads/a")));
        assertEquals("host-mount", engine.pathRules().match(FileAccess.CHANGE, at("/mnt/host/etc/passwd")).id(),
                "a host mount refuses changes, as host-filesystem does");
    }

    @Test
    void allowEntriesForFileChangesMatchTheirOperationPathAndAccess() throws Exception {
        PolicyEngine engine = engine("""
                rules:
                  - id: app-secrets
                    paths: [/srv/secrets/**]
                allow:
                  - operation: file-rename
                    path: /srv/secrets/rotated/*
                    reason: key rotation moves the new key into place
                  - operation: file-attributes
                    path: /srv/secrets/tls.key
                    access: [change]
                    reason: the certificate job sets the key's mode
                  - operation: file-delete
                    path: /srv/secrets/tmp/**
                    route: /admin/rotate
                    reason: rotation cleans its staging files
                """);
        Decision renamed = engine.decide(change(engine, Action.FILE_RENAME, FileAccess.WRITE, "/srv/secrets/rotated/k1"),
                AuthClass.API_KEY);
        assertTrue(renamed.allowedBy() != null && renamed.allowedBy().index() == 1, renamed.toString());
        assertTrue(byEntry(engine.decide(change(engine, Action.FILE_RENAME, FileAccess.READ, "/srv/secrets/rotated/k1"),
                AuthClass.API_KEY)), "an entry without access allows a rename's read and write");
        assertTrue(byEntry(engine.decide(change(engine, Action.FILE_ATTRIBUTES, FileAccess.CHANGE, "/srv/secrets/tls.key"),
                AuthClass.API_KEY)));
        assertTrue(byEntry(engine.decide(change(engine, Action.FILE_DELETE, FileAccess.WRITE, "/srv/secrets/tmp/x"),
                AuthClass.API_KEY, "POST", "/admin/rotate")));
        assertTrue(engine.decide(change(engine, Action.FILE_DELETE, FileAccess.WRITE, "/srv/secrets/tmp/x"),
                AuthClass.API_KEY, "POST", "/admin/other").blocked(), "another route");
        assertTrue(engine.decide(change(engine, Action.FILE_DELETE, FileAccess.WRITE, "/srv/secrets/rotated/k1"),
                AuthClass.API_KEY).blocked(), "a file-rename entry does not allow a delete");
        assertTrue(engine.decide(change(engine, Action.FILE_ATTRIBUTES, FileAccess.CHANGE, "/srv/secrets/db"),
                AuthClass.NONE).blocked());
        assertTrue(engine.decide(change(engine, Action.FILE_ATTRIBUTES, FileAccess.CHANGE, "/srv/secrets/db"),
                AuthClass.USER).allowed(), "a user's change is not judged");
    }

    /** Let go by an allow entry (with an event), not unjudged. */
    private static boolean byEntry(Decision decision) {
        return decision.allowedBy() != null;
    }

    @Test
    void anAllowEntryNamesOnlyTheAccessesItsOperationIsJudgedAs() {
        InvalidPolicyException e = assertThrows(InvalidPolicyException.class, () -> PolicyParser.parse("""
                allow:
                  - operation: file-delete
                    path: /srv/x
                    access: [change]
                    reason: r
                """, "p.yaml"));
        assertTrue(e.getMessage().contains("unknown access 'change'"), e.getMessage());
        assertTrue(e.getMessage().contains("expected write"), e.getMessage());
    }

    @Test
    void theNewOperationsHaveTheirEventNames() throws Exception {
        Policy policy = PolicyParser.parse("""
                allow:
                  - {operation: file-rename, path: /a, reason: r}
                  - {operation: file-link, path: /a, reason: r}
                  - {operation: file-symlink, path: /a, reason: r}
                  - {operation: file-delete, path: /a, reason: r}
                  - {operation: file-create, path: /a, reason: r}
                  - {operation: file-attributes, path: /a, reason: r}
                """, "p.yaml");
        assertEquals(List.of(Action.FILE_RENAME, Action.FILE_LINK, Action.FILE_SYMLINK, Action.FILE_DELETE,
                Action.FILE_CREATE, Action.FILE_ATTRIBUTES), policy.allow().stream().map(AllowEntry::operation).toList());
        assertEquals(Set.of(FileAccess.READ, FileAccess.WRITE), policy.allow().get(0).accesses());
        assertEquals(EnumSet.of(FileAccess.WRITE), policy.allow().get(3).accesses());
        assertEquals(EnumSet.of(FileAccess.CHANGE), policy.allow().get(5).accesses());
    }
}
