package dev.hostguard.agent;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import dev.hostguard.agent.config.EventTarget;
import org.slf4j.Logger;

/**
 * The agent's own (relocated) logback, configured in code on a private {@link LoggerContext}. Nothing goes
 * through slf4j's {@code LoggerFactory}, so logback never searches the class path for {@code logback.xml}: the
 * host application's configuration never configures us, and ours never touches theirs.
 */
final class AgentLogging {
    static final String EVENTS_LOGGER = "hostguard.events";

    private final LoggerContext context = new LoggerContext();

    AgentLogging(EventTarget events) {
        context.setName("hostguard");
        context.setMDCAdapter(new LogbackMDCAdapter());
        context.start();
        ch.qos.logback.classic.Logger diagnostics = context.getLogger("dev.hostguard");
        diagnostics.setLevel(Level.INFO);
        diagnostics.setAdditive(false);
        diagnostics.addAppender(console(true, "[hostguard] %replace(%level ){'INFO ', ''}%msg%n"));

        ch.qos.logback.classic.Logger eventLog = context.getLogger(EVENTS_LOGGER);
        eventLog.setLevel(Level.INFO);
        eventLog.setAdditive(false);
        eventLog.addAppender(events.file() != null ? file(events) : console(events.stderr(), "%msg%n"));
    }

    Logger diagnostics(Class<?> type) {
        return context.getLogger(type);
    }

    Logger events() {
        return context.getLogger(EVENTS_LOGGER);
    }

    private OutputStreamAppender<ILoggingEvent> console(boolean stderr, String pattern) {
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setTarget(stderr ? "System.err" : "System.out");
        return started(appender, pattern);
    }

    private OutputStreamAppender<ILoggingEvent> file(EventTarget events) {
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setFile(events.file().toString());
        appender.setAppend(true);
        return started(appender, "%msg%n");
    }

    private OutputStreamAppender<ILoggingEvent> started(OutputStreamAppender<ILoggingEvent> appender, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        appender.setContext(context);
        appender.setName(pattern);
        appender.setEncoder(encoder);
        appender.setImmediateFlush(true);
        appender.start();
        return appender;
    }
}
