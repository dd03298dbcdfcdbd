package dev.hostguard.agent.cli;

import dev.hostguard.agent.cli.attach.AttachCommand;
import dev.hostguard.agent.cli.learn.LearnCommand;
import dev.hostguard.agent.cli.report.ReportCommand;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar hostguard-agent.jar <command>}: the operator's tools. This is the jar's {@code Main-Class}; it
 * never starts the agent, its hooks or its logging (those start only in {@code AgentMain}), and the agent never
 * loads this package.
 *
 * <p>Exit codes, for every command: {@value #OK} done (and, for {@code check}, the policy is valid);
 * {@value #FAILED} the command ran and failed or found problems; {@value #USAGE} the command line is wrong. An
 * error is one line on standard error, starting with {@code hostguard <command>:}.
 */
@Command(name = "java -jar hostguard-agent.jar",
        mixinStandardHelpOptions = true,
        versionProvider = HostGuardCli.Version.class,
        description = "HostGuard's tools. The guard itself is the same jar, added to a service with"
                + " -javaagent:hostguard-agent.jar[=mode=audit|block,events=<file>].",
        synopsisSubcommandLabel = "COMMAND",
        // The one place to register a command.
        subcommands = {
            CheckCommand.class,
            LearnCommand.class,
            ReportCommand.class,
            AttachCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class HostGuardCli implements Callable<Integer> {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line; returns the exit code (tests call this instead of {@link #main}). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new HostGuardCli());
        cli.setOut(out);
        cli.setErr(err);
        exitCodesInHelp(cli);
        cli.setParameterExceptionHandler((e, arguments) -> {
            CommandLine command = e.getCommandLine();
            command.getErr().println(prefix(command) + ": " + e.getMessage() + " (see "
                    + command.getCommandSpec().qualifiedName() + " --help)");
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, command, parseResult) -> {
            command.getErr().println(prefix(command) + ": " + (e instanceof CliFailure ? e.getMessage() : e.toString()));
            return FAILED;
        });
        return cli.execute(args);
    }

    /** Without a command: the usage, as a usage error. */
    @Override
    public Integer call() {
        CommandLine cli = spec.commandLine();
        cli.usage(cli.getErr());
        cli.getErr().println("hostguard: no command given; one of: " + String.join(", ", cli.getSubcommands().keySet()));
        return USAGE;
    }

    /** The same exit-code section in every command's --help, unless the command words its own (check). */
    private static void exitCodesInHelp(CommandLine cli) {
        if (cli.getCommandSpec().usageMessage().exitCodeList().isEmpty()) {
            Map<String, String> codes = new LinkedHashMap<>();
            codes.put(OK + "", "done");
            codes.put(FAILED + "", "the command failed (check: the policy is invalid; attach: not attached)");
            codes.put(USAGE + "", "bad command line");
            cli.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
        }
        cli.getSubcommands().values().forEach(HostGuardCli::exitCodesInHelp);
    }

    /** {@code hostguard learn}, {@code hostguard report}...: how each error line starts. */
    private static String prefix(CommandLine command) {
        return command.getParent() == null ? "hostguard" : "hostguard " + command.getCommandName();
    }

    /** The jar's {@code Implementation-Version}, for every command's {@code --version}. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = HostGuardCli.class.getPackage().getImplementationVersion();
            return new String[] {"HostGuard " + (version == null ? "(development build)" : version)
                    + " on Java " + Runtime.version()};
        }
    }
}
