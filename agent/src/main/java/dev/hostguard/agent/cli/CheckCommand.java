package dev.hostguard.agent.cli;

import dev.hostguard.agent.config.InvalidPolicyException;
import dev.hostguard.agent.config.PolicyFile;
import dev.hostguard.agent.config.PolicySummary;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar hostguard-agent.jar check policy.yaml}: reads a policy file as the agent would at start-up,
 * offline. Prints the same errors start-up would (every problem, with line and column) or, for a valid file, a
 * summary of what it does.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Checks a policy file (YAML or JSON) offline, as the agent reads it at start-up.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the policy is valid (a summary is printed)",
            "1:the policy is invalid or cannot be read (every problem is printed, with line and column)",
            "2:bad command line (no file, more than one)"})
public final class CheckCommand implements Callable<Integer> {
    public static final int VALID = 0;
    public static final int INVALID = 1;

    @Parameters(index = "0", paramLabel = "POLICY", description = "the policy file")
    Path policy;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return check(policy, spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /** The check itself, for callers without picocli: the summary to {@code out}, the errors to {@code err}. */
    public static int check(Path policy, PrintWriter out, PrintWriter err) {
        Path absolute = policy.toAbsolutePath(); // named so in every line, as the agent names it at start-up
        try {
            PolicyFile file = PolicyFile.load(absolute);
            PolicySummary.of(file).forEach(out::println);
            out.flush();
            return VALID;
        } catch (InvalidPolicyException e) {
            err.println("hostguard check: " + e.report(absolute.toString())); // as every command's errors start
            err.flush();
            return INVALID;
        }
    }
}
