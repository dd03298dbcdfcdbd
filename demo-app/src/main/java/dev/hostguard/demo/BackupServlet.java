package dev.hostguard.demo;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /admin/backup}: what a real admin route legitimately does with a host command, and how it goes
 * wrong. It archives {@code BACKUP_SOURCE} into {@code BACKUP_TARGET/backup.tgz} with one fixed command,
 * {@code tar -czf <target>/backup.tgz -C <source> .}: the operation an allow entry should permit.
 *
 * <p>The injectable variant: {@code ?compress=<program>} "lets the caller pick the compressor", and the route
 * builds a shell pipeline from it, {@code sh -c "tar -cf - -C <source> . | <program> > <target>/backup.tgz"}, so
 * {@code compress=gzip;touch /tmp/pwned} runs the attacker's command on the very route the policy allows.
 */
final class BackupServlet extends HttpServlet {
    private static final Logger LOG = LoggerFactory.getLogger(BackupServlet.class);

    private final Path source;
    private final Path archive;

    BackupServlet(Path source, Path target) {
        this.source = source;
        this.archive = target.resolve("backup.tgz");
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String compress = request.getParameter("compress");
        List<String> command = compress == null
                ? List.of("tar", "-czf", archive.toString(), "-C", source.toString(), ".")
                // the vulnerability: request text inside a shell command line
                : List.of("sh", "-c", "tar -cf - -C '" + source + "' . | " + compress + " > '" + archive + "'");
        try {
            Files.createDirectories(archive.getParent());
            String outcome = ProcessOutcome.await(new ProcessBuilder(command).start());
            response.setStatus(outcome.startsWith("exit=0") ? HttpServletResponse.SC_OK
                    : HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
            response.setContentType("text/plain");
            response.setCharacterEncoding("UTF-8");
            response.getWriter().write("backup " + archive + " (" + Files.size(archive) + " bytes)\n" + outcome);
        } catch (Exception e) {
            LOG.warn("backup failed: {}", e.toString());
            JsonError.write(response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, String.valueOf(e.getMessage()));
        }
    }
}
