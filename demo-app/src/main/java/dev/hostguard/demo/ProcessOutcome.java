package dev.hostguard.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for started processes and turns them into the {@code exit=<code>\n<output>} result. */
final class ProcessOutcome {

    static final long TIMEOUT_SECONDS = 10;

    /** How long to keep reading output after exit; a grandchild may hold the pipe open. */
    private static final long DRAIN_GRACE_MILLIS = 2_000;

    private ProcessOutcome() {
    }

    static String await(Process process) throws Exception {
        return await(List.of(process));
    }

    /**
     * Waits for every process of a pipeline (a single process is a pipeline of one). The exit code
     * is the first process's (the command that was asked for); the output is what the last one
     * printed, stdout then stderr.
     */
    static String await(List<Process> pipeline) throws Exception {
        Process first = pipeline.get(0);
        Process last = pipeline.get(pipeline.size() - 1);
        // Nothing is ever typed into the command: close stdin so commands that read it do not hang.
        closeQuietly(first.getOutputStream());
        Drain stdout = Drain.start(last.getInputStream());
        Drain stderr = Drain.start(last.getErrorStream());

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        for (Process p : pipeline) {
            if (!p.waitFor(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                pipeline.forEach(Process::destroyForcibly);
                throw new TimeoutException("command did not finish within " + TIMEOUT_SECONDS
                        + " s and was destroyed");
            }
        }
        return "exit=" + first.exitValue() + "\n" + stdout.text() + stderr.text();
    }

    private static void closeQuietly(OutputStream out) {
        try {
            out.close();
        } catch (IOException ignored) {
            // the process may already be gone; there is nothing to close then
        }
    }

    /** Reads one stream on a daemon thread so that a full stderr pipe cannot block stdout. */
    private static final class Drain {
        private final ByteArrayOutputStream sink = new ByteArrayOutputStream();
        private final Thread thread;

        private Drain(InputStream in) {
            thread = new Thread(() -> copyCapped(in), "demo-process-output");
            thread.setDaemon(true);
        }

        static Drain start(InputStream in) {
            Drain drain = new Drain(in);
            drain.thread.start();
            return drain;
        }

        private void copyCapped(InputStream in) {
            byte[] buffer = new byte[8192];
            try (in) {
                for (int n; (n = in.read(buffer)) != -1; ) {
                    int room = Actions.MAX_OUTPUT_BYTES - sink.size();
                    sink.write(buffer, 0, Math.max(0, Math.min(n, room))); // keep reading so the child never blocks
                }
            } catch (IOException ignored) {
                // stream closed by destroy(); what was read so far is the output
            }
        }

        String text() throws InterruptedException {
            thread.join(DRAIN_GRACE_MILLIS);
            return sink.toString(StandardCharsets.UTF_8);
        }
    }
}
