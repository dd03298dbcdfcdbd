package dev.hostguard.agent.cli.report;

import dev.hostguard.agent.cli.CliFailure;
import dev.hostguard.agent.cli.HostGuardCli;
import dev.hostguard.agent.cli.events.EventReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code report events.jsonl... [--html report.html]}. */
@Command(name = "report", mixinStandardHelpOptions = true, versionProvider = HostGuardCli.Version.class,
        header = "Summarise events: per rule, route, API key and over time; optional HTML page.",
        description = {
            "Summarises the events: blocked, logged and allowed decisions per rule, per route, per API-key"
                + " fingerprint (with the name the policy's credentials.keys gives it), per key by rule and route,"
                + " and over time (per minute, or wider buckets for longer runs), as text on standard output.",
            "With --html, also writes one self-contained HTML page (no scripts, nothing fetched) with a chart of"
                + " the findings over time and the same tables."})
public final class ReportCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "EVENTS", description = "events files (JSON lines)")
    List<Path> files;

    @Option(names = "--html", paramLabel = "FILE", description = "also write the report as one offline HTML file")
    Path html;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        FindingSummary summary = FindingSummary.of(EventReader.readAll(files, spec.commandLine().getErr()));
        TextReport.write(summary, spec.commandLine().getOut());
        if (html != null) {
            try (PrintWriter page = new PrintWriter(Files.newBufferedWriter(html, StandardCharsets.UTF_8))) {
                HtmlReport.write(summary, page);
            } catch (IOException e) {
                throw new CliFailure("cannot write " + html + ": " + e);
            }
            spec.commandLine().getOut().println();
            spec.commandLine().getOut().println("HTML report: " + html.toAbsolutePath());
        }
        return HostGuardCli.OK;
    }
}
