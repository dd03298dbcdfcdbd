package dev.hostguard.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code check} through picocli, as the CLI runs it: exit codes, the summary, the errors. */
class CheckCommandTest {
    @TempDir
    Path tmp;

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new CheckCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void theExamplePolicyIsValidAndSummarised() {
        Run run = run(Path.of("../examples/policy.yaml").toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("mode: audit"), run.out());
        assertTrue(run.out().contains("auth: api-key=block none=block user=allow mtls=allow message=log outside-request=default (process starts,"
                + " native code, JVM diagnostics: log)"),
                run.out());
        assertTrue(run.out().contains("sensitive-listing=off"), run.out());
        assertTrue(run.out().contains("recon=log"), run.out());
        assertTrue(run.out().contains("rules added: app-secrets (application secrets, block), vault-agent-socket"),
                run.out());
        assertTrue(run.out().contains("1. process-start /usr/bin/pg_dump [--format=custom --file=/backups/*.dump **]"
                + " on POST /backup, auth api-key, key nightly-backup (3f2a9c1e7b04), caller com.example.backup. -- the"
                + " nightly backup job"), run.out());
        assertTrue(run.out().contains("JVM diagnostics: log); keys: reporting (9d81aa02c5f3)=log\n"), run.out());
        assertTrue(run.out().contains("; keys: nightly-backup=3f2a9c1e7b04, reporting=9d81aa02c5f3; bearer tokens"), run.out());
        assertTrue(run.out().contains("4. unix-connect /run/myapp/helper.sock on any route -- the image helper daemon"),
                run.out());
    }

    @Test
    void anEmptyArgumentIsValidAndShownQuoted() throws Exception {
        Path policy = Files.writeString(tmp.resolve("policy.yaml"), """
                allow:
                  - operation: process-start
                    executable: /usr/bin/ssh-keygen
                    args: ["-N", "", "-f", "/srv/key"]
                    reason: the deploy key, without a passphrase
                """);
        Run run = run(policy.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("1. process-start /usr/bin/ssh-keygen [-N \"\" -f /srv/key] on any route"), run.out());
    }

    @Test
    void anInvalidPolicyExitsOneWithEveryProblemAndItsPlace() throws Exception {
        Path policy = tmp.resolve("policy.yaml");
        Files.writeString(policy, "mdoe: block\nauth:\n  api-key: blok\n");
        Run run = run(policy.toString());
        assertEquals(1, run.exit());
        assertTrue(run.err().startsWith("hostguard check: invalid policy file " + policy + " (2 problems)"), run.err());
        assertTrue(run.err().contains(policy + ":1:1: unknown key 'mdoe' in the policy; did you mean 'mode'?"),
                run.err());
        assertTrue(run.err().contains(policy + ":3:12: bad value 'blok' for auth.api-key; expected block, log, allow; did you mean 'block'?"),
                run.err());
        assertEquals("", run.out());
    }

    @Test
    void aMissingFileIsInvalidAndBadUsageIsTwo() {
        Run missing = run(tmp.resolve("nope.yaml").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("cannot read the policy file"), missing.err());
        assertEquals(2, run().exit());
        assertEquals(2, run("a.yaml", "b.yaml").exit());
        Run help = run("--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("Exit codes"), help.out());
    }
}
