package dev.hostguard.agent;

import dev.hostguard.agent.config.EventTarget;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.Charset;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * The agent's own logging: a few diagnostic lines ({@code [hostguard] ...} on standard error) and the security
 * events (one JSON object per line on standard output, standard error or appended to a file), behind the
 * (relocated) slf4j {@link Logger} interface. It is written here rather than configured from logback because a
 * logging framework cost the start-up some 280 classes for what is a line writer: the agent has two loggers,
 * one fixed format each and never reconfigures. Nothing goes through slf4j's {@code LoggerFactory}, so the host
 * application's slf4j binding and {@code logback.xml} never meet ours.
 */
final class AgentLogging {
    static final String EVENTS_LOGGER = "hostguard.events";
    private static final String PREFIX = "[hostguard] ";

    private final LineLogger events;
    private final LineLogger diagnostics;
    private SinkDrops drops;
    private QueuedLines queued;

    AgentLogging(EventTarget target) {
        diagnostics = new LineLogger("dev.hostguard", new StreamLines(true), PREFIX);
        events = new LineLogger(EVENTS_LOGGER, eventLines(target), "");
    }

    /**
     * The event sink; an event file that cannot be opened sends the events to standard error, never nowhere. With a
     * queue (a standard stream's by default, or {@code events-queue}) the lines go through a {@link QueuedLines}
     * writer thread.
     */
    private Lines eventLines(EventTarget target) {
        int queue = target.queueCapacity();
        if (target.file() != null || queue > 0) {
            drops = new SinkDrops(target.file() == null ? (target.stderr() ? "stderr" : "stdout")
                    : target.file().toString());
        }
        Lines lines;
        if (target.file() == null) {
            lines = new StreamLines(target.stderr());
        } else {
            try {
                lines = new EventFile(target.file(), target.rotates() ? target.maxBytes() : 0, target.maxFiles(),
                        drops);
            } catch (IOException | RuntimeException e) {
                diagnostics.error("cannot open the event file {} ({}); events go to standard error", target.file(),
                        e.toString());
                lines = new StreamLines(true);
            }
        }
        if (queue > 0) {
            queued = new QueuedLines(lines, queue, drops);
            return queued;
        }
        return lines;
    }

    /** The events the sink dropped (a full queue, failed writes), for metrics; {@code null}: it drops none. */
    SinkDrops drops() {
        return drops;
    }

    /**
     * Waits at most {@code millis} for queued events to be written (at shutdown).
     *
     * @return whether all were written (also when there is no queue)
     */
    boolean flushEvents(long millis) {
        return queued == null || queued.flush(millis);
    }

    Logger diagnostics(Class<?> type) {
        return diagnostics;
    }

    Logger events() {
        return events;
    }

    /** Where whole lines go; one call per line, so concurrent lines never interleave. */
    interface Lines {
        void write(String line);
    }

    /**
     * Standard output or error, looked up at each line as the service may replace them; its charset, as a
     * console appender would.
     */
    private record StreamLines(boolean stderr) implements Lines {
        @Override
        public void write(String line) {
            PrintStream stream = stderr ? System.err : System.out;
            stream.print(line + System.lineSeparator());
            stream.flush();
        }
    }

    /** INFO and above, as {@code <prefix>[LEVEL ]message}, INFO without its level; a throwable's trace follows. */
    private static final class LineLogger extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;
        private final transient Lines lines;
        private final String prefix;

        LineLogger(String name, Lines lines, String prefix) {
            this.name = name;
            this.lines = lines;
            this.prefix = prefix;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                                                   Throwable throwable) {
            String message = arguments == null || arguments.length == 0 ? pattern
                    : MessageFormatter.basicArrayFormat(pattern, arguments);
            StringBuilder line = new StringBuilder(prefix);
            if (level != Level.INFO) {
                line.append(level).append(' ');
            }
            line.append(message);
            if (throwable != null) {
                ByteArrayOutputStream trace = new ByteArrayOutputStream();
                Charset charset = Charset.defaultCharset();
                try (PrintStream print = new PrintStream(trace, true, charset)) {
                    throwable.printStackTrace(print);
                }
                line.append(System.lineSeparator()).append(trace.toString(charset).stripTrailing());
            }
            lines.write(line.toString());
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        public boolean isTraceEnabled() {
            return false;
        }

        @Override
        public boolean isDebugEnabled() {
            return false;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }
    }
}
