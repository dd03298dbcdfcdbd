package dev.hostguard.agent.cli.attach;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import dev.hostguard.agent.AgentMain;
import dev.hostguard.agent.cli.CliFailure;
import dev.hostguard.agent.cli.HostGuardCli;
import dev.hostguard.agent.cli.events.TerminalText;
import dev.hostguard.agent.config.AgentOptions;
import dev.hostguard.agent.config.InvalidOptionException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import net.bytebuddy.agent.ByteBuddyAgent;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code attach <pid> [options]} and {@code attach --list}. */
@Command(name = "attach", mixinStandardHelpOptions = true, versionProvider = HostGuardCli.Version.class,
        header = "Load HostGuard into a running JVM, or list the JVMs (--list).",
        description = {
            "Loads HostGuard (this jar) into a running JVM, with the same options as the -javaagent argument"
                + " (e.g. mode=block,events=/var/log/hostguard/events.jsonl). The options are checked here first;"
                + " file paths must be absolute, since the JVM resolves them against its own working directory."
                + " Classes the JVM loaded already are retransformed, so the hooks take effect at once.",
            "The JVM must run as the same user and allow attach (not -XX:+DisableAttachMechanism). Java 21 and"
                + " later print a warning about a dynamically loaded agent unless started with"
                + " -XX:+EnableDynamicAgentLoading. A JVM where HostGuard is active already is refused.",
            "--list shows the JVMs this user may attach to (it attaches to each briefly to read two system"
                + " properties, and loads nothing)."})
public final class AttachCommand implements Callable<Integer> {
    /** Option keys whose value is a file path the target JVM opens. */
    private static final List<String> PATH_OPTIONS = List.of("events", "policy");

    @Parameters(index = "0", arity = "0..1", paramLabel = "PID", description = "the process id of the JVM")
    String pid;

    @Parameters(index = "1", arity = "0..1", paramLabel = "OPTIONS",
            description = "agent options, key=value[,key=value] (default: audit mode, events to the JVM's stdout)")
    String options = "";

    @Option(names = "--list", description = "list the JVMs this user can attach to, and whether HostGuard is active in each")
    boolean list;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (list == (pid != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), list
                    ? "--list takes no PID" : "which JVM? give its PID, or --list to see them");
        }
        return list ? list(spec.commandLine().getOut()) : attach(spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    private int attach(PrintWriter out, PrintWriter err) {
        if (!pid.matches("[0-9]+")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "PID must be a process id, not '" + pid + "'");
        }
        validate(options);
        VirtualMachine vm = connect(pid);
        try {
            Path jar = ownJar();
            Properties before = vm.getSystemProperties();
            String active = before.getProperty(AgentMain.ACTIVE_PROPERTY);
            if (active != null) {
                throw new CliFailure("HostGuard is already active in JVM " + pid + " (mode=" + TerminalText.safe(active)
                        + "); nothing attached. Restart the JVM to change its options.");
            }
            load(jar, options);
            String now = vm.getSystemProperties().getProperty(AgentMain.ACTIVE_PROPERTY);
            if (now == null && !options.matches("(?i).*\\bmode=off\\b.*")) {
                throw new CliFailure("loaded into JVM " + pid + ", but HostGuard did not start: see that JVM's"
                        + " standard error (a 'hostguard:' or '[hostguard]' line)");
            }
            out.println("HostGuard attached to JVM " + pid + " (Java " + TerminalText.safe(before.getProperty("java.version"))
                    + "): mode=" + (now == null ? "off" : TerminalText.safe(now))
                    + (options.isBlank() ? "" : ", options " + options));
            warnAboutDynamicLoading(vm, before, err);
            return HostGuardCli.OK;
        } catch (IOException e) {
            throw new CliFailure("lost the connection to JVM " + pid + ": " + e.getMessage());
        } finally {
            detach(vm);
        }
    }

    /**
     * Loads the agent with Byte Buddy's attach helper, which finds the JVM's attach API (HotSpot's or OpenJ9's) and
     * reports what went wrong wrapped in its own exception: the JVM's refusal is unwrapped here for the operator.
     */
    private void load(Path jar, String options) {
        try {
            ByteBuddyAgent.attach(jar.toFile(), pid, options);
        } catch (IllegalStateException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof AgentLoadException || cause instanceof AgentInitializationException) {
                    throw new CliFailure("JVM " + pid + " refused the agent: " + cause.getMessage());
                }
                if (cause instanceof IOException) {
                    throw new CliFailure("lost the connection to JVM " + pid + ": " + cause.getMessage());
                }
            }
            throw new CliFailure("could not load the agent into JVM " + pid + ": " + e.getMessage());
        }
    }

    /** The same checks as at start-up, here, so a typo fails now rather than as a line in the service's log. */
    private void validate(String options) {
        for (String pair : options.split(",")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? "" : pair.substring(0, eq).trim();
            String value = eq < 0 ? "" : pair.substring(eq + 1).trim();
            if (PATH_OPTIONS.contains(key) && !value.equalsIgnoreCase("stdout") && !value.equalsIgnoreCase("stderr")
                    && !Path.of(value).isAbsolute()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "option " + key + "=" + value
                        + ": give an absolute path (the JVM resolves it against its own working directory)");
            }
        }
        try {
            // the agent's own parser; like the agent it opens the events file for appending (same file: absolute)
            AgentOptions.resolve(options);
        } catch (InvalidOptionException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** This jar: what the target JVM loads. */
    private static Path ownJar() {
        try {
            Path jar = Path.of(HostGuardCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(jar)) {
                throw new CliFailure("attach needs the agent jar: run it as java -jar hostguard-agent.jar attach ...");
            }
            return jar;
        } catch (URISyntaxException | SecurityException e) {
            throw new CliFailure("cannot tell where this jar is: " + e);
        }
    }

    private static VirtualMachine connect(String pid) {
        try {
            return VirtualMachine.attach(pid);
        } catch (AttachNotSupportedException e) {
            throw new CliFailure("cannot attach to JVM " + pid + ": " + e.getMessage()
                    + " (is it a JVM, running as this user, without -XX:+DisableAttachMechanism?)");
        } catch (IOException e) {
            throw new CliFailure("cannot attach to JVM " + pid + ": " + e.getMessage());
        }
    }

    /** Java 21+ warns on its standard error about a dynamically loaded agent unless told it is expected. */
    private static void warnAboutDynamicLoading(VirtualMachine vm, Properties props, PrintWriter err) {
        try {
            int feature = Integer.parseInt(props.getProperty("java.specification.version", "17").replaceFirst("^1\\.", ""));
            String flags = vm.getAgentProperties().getProperty("sun.jvm.flags", "")
                    + " " + vm.getAgentProperties().getProperty("sun.jvm.args", "");
            if (feature >= 21 && !flags.contains("EnableDynamicAgentLoading")) {
                err.println("hostguard attach: note: Java " + feature + " printed a warning about a dynamically loaded"
                        + " agent on that JVM's standard error; start it with -XX:+EnableDynamicAgentLoading to say it"
                        + " is expected");
            }
        } catch (IOException | NumberFormatException e) {
            // only a note
        }
    }

    private int list(PrintWriter out) {
        String self = String.valueOf(ProcessHandle.current().pid());
        out.printf("%-8s %-10s %-10s %s%n", "PID", "JAVA", "HOSTGUARD", "MAIN CLASS / JAR");
        for (VirtualMachineDescriptor jvm : VirtualMachine.list()) {
            if (jvm.id().equals(self)) {
                continue;
            }
            String java = "?";
            String guard = "?";
            try {
                // reading two properties needs an attach, but loads nothing into the JVM
                VirtualMachine vm = VirtualMachine.attach(jvm);
                try {
                    Properties props = vm.getSystemProperties();
                    java = props.getProperty("java.version", "?");
                    guard = props.getProperty(AgentMain.ACTIVE_PROPERTY, "no");
                } finally {
                    detach(vm);
                }
            } catch (AttachNotSupportedException | IOException e) {
                guard = "unknown";
            }
            out.printf("%-8s %-10s %-10s %s%n", jvm.id(), TerminalText.safe(java), TerminalText.safe(guard),
                    TerminalText.safe(jvm.displayName()));
        }
        out.flush();
        return HostGuardCli.OK;
    }

    private static void detach(VirtualMachine vm) {
        try {
            vm.detach();
        } catch (IOException ignored) {
            // the JVM went away; nothing to release
        }
    }
}
