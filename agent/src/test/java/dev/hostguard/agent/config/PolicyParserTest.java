package dev.hostguard.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.policy.Action;
import dev.hostguard.agent.policy.AllowEntry;
import dev.hostguard.agent.policy.AuthClass;
import dev.hostguard.agent.policy.BearerTokens;
import dev.hostguard.agent.policy.CredentialSettings;
import dev.hostguard.agent.policy.Decision.Verdict;
import dev.hostguard.agent.policy.FileAccess;
import dev.hostguard.agent.policy.Mode;
import dev.hostguard.agent.policy.Policy;
import dev.hostguard.agent.policy.PrincipalPatterns;
import dev.hostguard.agent.policy.RuleAction;
import dev.hostguard.agent.policy.RuleEntry;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyParserTest {
    private static final Path EXAMPLE = Path.of("../examples/policy.yaml");

    /** The policy of {@code yaml} (named {@code p.yaml}); shared with the other parser tests. */
    static Policy parse(String yaml) throws InvalidPolicyException {
        return PolicyParser.parse(yaml, "p.yaml");
    }

    /** The problems, as printed, of an invalid {@code yaml}. */
    static List<String> problems(String yaml) {
        InvalidPolicyException e = assertThrows(InvalidPolicyException.class, () -> parse(yaml));
        return e.problems().stream().map(PolicyProblem::toString).toList();
    }

    @Test
    void theExampleLoadsWithEveryField() throws Exception {
        PolicyFile file = PolicyFile.load(EXAMPLE);
        Policy p = file.policy();
        assertEquals(64, file.sha256().length());
        assertEquals(Mode.AUDIT, p.mode());
        assertEquals(Verdict.BLOCK, p.auth().get(AuthClass.API_KEY));
        assertEquals(Verdict.BLOCK, p.auth().get(AuthClass.NONE));
        assertEquals(Verdict.ALLOW, p.auth().get(AuthClass.USER));
        assertEquals(Verdict.ALLOW, p.auth().get(AuthClass.MTLS));
        assertNull(p.outsideRequest(), "unset: the default (escapes logged once requests are served)");
        assertEquals(List.of("X-API-Key", "Api-Key", "X-Api-Token", "X-Service-Key"), p.credentials().headers());
        assertEquals(List.of("ApiKey", "Api-Key", "Key", "Token"), p.credentials().authorizationSchemes());
        assertEquals(List.of("api_key", "apikey", "api-key"), p.credentials().queryParameters());
        assertEquals(false, p.credentials().replacesDefaults());
        assertEquals(PrincipalPatterns.NONE, p.credentials().apiKeyPrincipals());
        assertEquals(PrincipalPatterns.NONE, p.credentials().personPrincipals());
        assertEquals(BearerTokens.CLIENTS, p.credentials().bearerTokens());

        assertEquals(5, p.rules().size());
        assertEquals(new RuleEntry("sensitive-listing", null, null, List.of(), Set.of(FileAccess.READ,
                FileAccess.WRITE, FileAccess.CHANGE), List.of(), List.of(), RuleAction.OFF), p.rules().get(0));
        assertEquals("reconnaissance", p.rules().get(1).category());
        assertEquals(RuleAction.LOG, p.rules().get(1).action());
        RuleEntry secrets = p.rules().get(2);
        assertEquals("app-secrets", secrets.id());
        assertEquals("application secrets", secrets.category());
        assertEquals("the service's own secrets, mounted by the orchestrator", secrets.description());
        assertEquals(List.of("/etc/myapp/secrets/**"), secrets.paths());
        assertEquals(Set.of(FileAccess.READ, FileAccess.WRITE), secrets.accesses());
        assertEquals(RuleAction.BLOCK, secrets.action());
        assertEquals(List.of("vault-agent.sock"), p.rules().get(3).sockets());
        assertNull(p.rules().get(3).action());
        assertEquals(List.of("sh", "bash", "dash", "zsh", "nc", "curl"), p.rules().get(4).commands());

        assertEquals(6, p.allow().size());
        AllowEntry backup = p.allow().get(0);
        assertEquals(1, backup.index());
        assertEquals(Action.PROCESS_START, backup.operation());
        assertEquals("/usr/bin/pg_dump", backup.executable().pattern());
        assertEquals(List.of("--format=custom", "--file=/backups/*.dump", "**"),
                backup.args().stream().map(g -> g.pattern()).toList());
        assertEquals("POST", backup.routeMethod());
        assertEquals("/backup", backup.routePath().pattern());
        assertEquals(Set.of("api-key"), backup.auth());
        assertEquals("com.example.backup.", backup.caller());
        assertEquals(Set.of("3f2a9c1e7b04"), backup.keys());
        assertEquals(java.util.Map.of("nightly-backup", "3f2a9c1e7b04", "reporting", "9d81aa02c5f3"),
                p.credentials().keys());
        assertEquals(List.of(new dev.hostguard.agent.policy.KeyAction("reporting", "9d81aa02c5f3", Verdict.LOG)),
                p.keyActions());
        assertEquals("the nightly backup job calls POST /backup with the ops API key", backup.reason());
        AllowEntry metrics = p.allow().get(1);
        assertEquals("/proc/" + ProcessHandle.current().pid() + "/stat", metrics.path().pattern());
        assertEquals("/proc/self/stat", metrics.path().written());
        assertEquals(Set.of(FileAccess.READ), metrics.accesses());
        assertEquals("GET", metrics.routeMethod());
        assertEquals(Action.DIRECTORY_LIST, p.allow().get(2).operation());
        assertNull(p.allow().get(2).routePath());
        assertEquals(Action.UNIX_CONNECT, p.allow().get(3).operation());
        assertEquals("/run/myapp/helper.sock", p.allow().get(3).path().pattern());
        assertEquals(Action.JVM_DIAGNOSTIC, p.allow().get(4).operation());
        assertEquals("gcClassHistogram*", p.allow().get(4).path().pattern());
        assertEquals("diagnostic-command", p.allow().get(4).args().get(0).pattern());
        assertEquals(Action.PROCESS_SIGNAL, p.allow().get(5).operation());
        assertEquals(List.of("SIGTERM"), p.allow().get(5).args().stream().map(g -> g.pattern()).toList());

        assertNull(p.events().sink().equals("stdout") ? null : "sink");
        assertEquals(100, p.events().perSecond());
        assertEquals(8, p.events().stackDepth());
        assertEquals(403, p.response().status());
        assertEquals("application/json", p.response().contentType());
        assertEquals("{\"error\":\"blocked by HostGuard\",\"rule\":\"r\",\"event_id\":\"e\"}",
                new String(p.response().render("r", "e"), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void jsonWithTheSameStructureReadsTheSame() throws Exception {
        Policy p = parse("""
                {"version": 1, "mode": "block",
                 "auth": {"user": "log", "outside-request": "log"},
                 "rules": [{"id": "shells", "commands": ["sh"], "action": "log"}],
                 "allow": [{"operation": "process-start", "executable": "/usr/bin/pg_dump", "args": ["**"],
                            "route": "POST /backup", "reason": "backups"}],
                 "events": {"rate-limit": "5/s", "stack-depth": 3},
                 "response": {"status": 451, "content-type": "text/plain", "body": "no ${rule}"}}
                """);
        assertEquals(Mode.BLOCK, p.mode());
        assertEquals(Verdict.LOG, p.auth().get(AuthClass.USER));
        assertEquals(Verdict.LOG, p.outsideRequest());
        assertEquals(List.of("sh"), p.rules().get(0).commands());
        assertEquals("backups", p.allow().get(0).reason());
        assertEquals(5, p.events().perSecond());
        assertEquals(3, p.events().stackDepth());
        assertEquals(451, p.response().status());
        assertEquals("text/plain", p.response().contentType());
    }

    @Test
    void credentialsAddToTheDefaultsUnlessTheyReplaceThem() throws Exception {
        CredentialSettings added = parse("credentials:\n  headers: [X-Service-Key, x-api-key]\n"
                + "  authorization-schemes: [Bearer]\n  query-parameters: [token, api_key]\n").credentials();
        assertEquals(List.of("X-API-Key", "Api-Key", "X-Api-Token", "X-Service-Key"), added.headers(),
                "X-API-Key still recognised, once");
        assertEquals(List.of("ApiKey", "Api-Key", "Key", "Token", "Bearer"), added.authorizationSchemes());
        assertEquals(List.of("api_key", "apikey", "api-key", "token"), added.queryParameters());

        CredentialSettings replaced = parse("credentials:\n  headers: [X-Service-Key]\n  replace-defaults: true\n")
                .credentials();
        assertEquals(List.of("X-Service-Key"), replaced.headers());
        assertEquals(List.of(), replaced.authorizationSchemes());
        assertEquals(List.of(), replaced.queryParameters());
        assertTrue(replaced.replacesDefaults());
    }

    @Test
    void principalsAndBearerTokensAreRead() throws Exception {
        CredentialSettings c = parse("credentials:\n  person-principals:\n    classes: [com.example.SsoUser]\n"
                + "  api-key-principals:\n    names: [\"apikey:*\"]\n"
                + "  bearer-tokens:\n    owner: client\n    person-claims: [preferred_username]\n").credentials();
        assertEquals(new PrincipalPatterns(List.of(), List.of("com.example.SsoUser")), c.personPrincipals());
        assertEquals(new PrincipalPatterns(List.of("apikey:*"), List.of()), c.apiKeyPrincipals());
        assertEquals(new BearerTokens(false, List.of("preferred_username")), c.bearerTokens());
        assertTrue(parse("credentials:\n  bearer-tokens:\n    owner: person\n").credentials().bearerTokens()
                .ownerIsPerson());
    }

    @Test
    void badCredentialsNameTheLineAndTheProblem() {
        assertEquals(List.of("p.yaml:3:12: bad value 'persons' for credentials.bearer-tokens.owner; expected client,"
                + " person; did you mean 'person'?"), problems("credentials:\n  bearer-tokens:\n    owner: persons\n"));
        assertEquals(List.of("p.yaml:2:21: credentials.replace-defaults must be true or false; found the text 'yes"
                + " please'"), problems("credentials:\n  replace-defaults: yes please\n"));
        assertTrue(problems("credentials:\n  person-principals:\n    classes: [not a class]\n").get(0)
                .startsWith("p.yaml:3:15: 'not a class' is not a class name"));
    }

    @Test
    void anEmptyFileIsTheDefaultPolicy() throws Exception {
        assertEquals(Policy.DEFAULT, parse(""));
        assertEquals(Policy.DEFAULT, parse("# only a comment\n"));
    }

    @Test
    void unknownKeysAreReportedWithPlaceAndSuggestion() {
        assertEquals(List.of("p.yaml:2:1: unknown key 'mdoe' in the policy; did you mean 'mode'? (expected one of:"
                + " version, mode, auth, credentials, rules, allow, events, response)"),
                problems("version: 1\nmdoe: block\n"));
        assertEquals(List.of("p.yaml:3:5: unknown key 'acess' in a rule; did you mean 'access'? (expected one of:"
                + " id, category, description, paths, access, sockets, commands, endpoints, action)"),
                problems("rules:\n  - id: mine\n    acess: [read]\n    paths: [/x]\n"));
        assertTrue(problems("events:\n  rate-limt: 1/s\n").get(0).contains("did you mean 'rate-limit'?"));
        assertTrue(problems("allow:\n  - operation: file-open\n    pth: /x\n    path: /y\n    reason: r\n")
                .get(0).startsWith("p.yaml:3:5: unknown key 'pth' in an allow entry; did you mean 'path'?"));
        assertTrue(problems("mode: blocking\n").get(0).endsWith("did you mean 'block'?"), "a tail added");
        // far from every key: no suggestion
        assertEquals(List.of("p.yaml:1:1: unknown key 'blocking-everything' in the policy (expected one of:"
                + " version, mode, auth, credentials, rules, allow, events, response)"),
                problems("blocking-everything: yes\n"));
    }

    @Test
    void wrongTypesAndValuesNameWhatWasExpected() {
        assertEquals(List.of("p.yaml:1:7: bad value 'blok' for mode; expected audit, block, off; did you mean"
                + " 'block'?"), problems("mode: blok\n"));
        assertEquals(List.of("p.yaml:1:7: auth must be a mapping of api-key, none, user, mtls, message,"
                + " outside-request, keys; found the text 'block'"), problems("auth: block\n"));
        assertEquals(List.of("p.yaml:1:8: rules must be a list; found a mapping"), problems("rules: {id: x}\n"));
        assertEquals(List.of("p.yaml:1:20: response.status must be a whole number; found the text 'forbidden'"),
                problems("response: {status: forbidden}\n"));
        assertEquals(List.of("p.yaml:1:20: status 200 out of range; expected an HTTP error status (400 to 599)"),
                problems("response: {status: 200}\n"));
        assertEquals(List.of("p.yaml:1:22: bad rate limit '100'; expected events per second, e.g. 100/s"),
                problems("events: {rate-limit: 100}\n"));
        assertEquals(List.of("p.yaml:1:10: unsupported version 2; expected 1"), problems("version: 2\n"));
        assertEquals(List.of("p.yaml:2:1: 'mode' given twice in the policy (first at line 1)"),
                problems("mode: audit\nmode: block\n"));
    }

    @Test
    void rulesAreValidatedAgainstTheRuleset() {
        assertEquals(List.of("p.yaml:1:14: unknown rule 'proc-environs'; did you mean 'proc-environ'?; a rule of"
                + " your own needs paths, sockets, commands or endpoints"), problems("rules: [{id: proc-environs, action: off}]\n"));
        assertTrue(problems("rules: [{category: recon, action: off}]\n").get(0)
                .startsWith("p.yaml:1:20: unknown category 'recon'"));
        assertEquals(List.of("p.yaml:1:9: a category entry needs an 'action' (block, log or off)"),
                problems("rules: [{category: reconnaissance}]\n"));
        assertEquals(List.of("p.yaml:1:28: 'x*y': in rule paths a '*' stands for a whole component, or ends the"
                + " last one (name*), and '**' ends the path"), problems("rules: [{id: mine, paths: [/a/x*y]}]\n"));
        assertEquals(List.of("p.yaml:1:30: a socket is matched by its file name; expected a name without '/'"),
                problems("rules: [{id: mine, sockets: [/run/x.sock]}]\n"));
    }

    @Test
    void allowEntriesNeedTheirFields() {
        List<String> found = problems("""
                allow:
                  - operation: process-start
                    path: /bin/sh
                  - operation: file-open
                    path: relative/x
                    access: [read, list]
                    reason: r
                  - operation: unix-connect
                    path: /run/x.sock
                    route: POST
                    auth: [apikey]
                    caller: "com..x"
                    reason: r
                """);
        assertEquals(List.of(
                "p.yaml:2:5: an allow entry needs a 'reason' (it appears in every event the entry allows)",
                "p.yaml:2:5: a process-start entry needs an 'executable' (a path, a glob or a bare name)",
                "p.yaml:3:11: 'path' does not apply to process-start (it takes executable and args)",
                "p.yaml:5:11: 'relative/x' is not absolute; a path glob must start with '/'",
                "p.yaml:6:20: unknown access 'list'; expected read, write",
                "p.yaml:10:12: bad route 'POST'; expected \"METHOD /path-glob\" (e.g. \"POST /backup\"), \"* /path-glob\""
                        + " or \"/path-glob\"",
                "p.yaml:11:12: unknown authentication class 'apikey'; expected api-key, none, user, mtls,"
                        + " message, outside-request; did you mean 'api-key'?",
                "p.yaml:12:13: bad caller 'com..x'; expected a class name (com.example.Backup) or a package prefix"
                        + " ending in '.' (com.example.backup.)"), found);
    }

    @Test
    void aYamlSyntaxErrorHasItsPlaceToo() {
        List<String> found = problems("mode: audit\nauth:\n  api-key: [block\n");
        assertEquals(1, found.size());
        assertTrue(found.get(0).matches("p\\.yaml:4:1: not valid YAML: .*"), found.get(0));
        assertTrue(problems("{\"mode\": \"audit\"").get(0).startsWith("p.yaml:1:"));
    }
}
