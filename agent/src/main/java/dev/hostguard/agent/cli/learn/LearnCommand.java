package dev.hostguard.agent.cli.learn;

import dev.hostguard.agent.cli.HostGuardCli;
import dev.hostguard.agent.cli.events.EventReader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code learn events.jsonl... > policy.yaml}. */
@Command(name = "learn", mixinStandardHelpOptions = true, versionProvider = HostGuardCli.Version.class,
        header = "Turn audit events into a policy that allows exactly what was seen.",
        description = {
            "Writes to standard output a policy (YAML, mode: block) whose allow entries allow exactly the host"
                + " operations in the events: one entry per route, operation and target (an executable with its"
                + " exact arguments, or a path), with the authentication classes seen, and how often and when"
                + " each was seen as comments. Review it before you use it: in audit mode attacks ran too.",
            "Lines that are not JSON objects (the agent's and the service's own output) are ignored; a broken"
                + " JSON line is skipped with a warning naming file:line."})
public final class LearnCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "EVENTS", description = "events files (JSON lines), as the agent's events=<file> writes them")
    List<Path> files;

    @CommandLine.Option(names = "--per-key", description = "learn an API-key request's operations for its key alone:"
            + " entries narrowed with 'key' to the key's fingerprint, named key-1, key-2... (or the name its events"
            + " carry) in credentials.keys")
    boolean perKey;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PolicyLearner learner = new PolicyLearner(perKey);
        EventReader.readAll(files, err).forEach(learner::add);
        LearnedPolicyWriter.write(learner, spec.commandLine().getOut(), err);
        return HostGuardCli.OK;
    }
}
