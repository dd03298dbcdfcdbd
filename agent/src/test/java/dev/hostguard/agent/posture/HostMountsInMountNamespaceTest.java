package dev.hostguard.agent.posture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The detection on a real kernel: a bind mount made inside {@code unshare --mount} (a private mount namespace, so
 * the machine's own table never changes and the mount dies with the process) must be found by {@link HostMounts},
 * both from the shell's {@code cat /proc/self/mountinfo} and from a forked JVM reading its own
 * {@code /proc/self/mountinfo}. Root uses a plain mount namespace; anyone else a user namespace mapped to root.
 * Aborted, with the reason, where the machine allows neither.
 */
class HostMountsInMountNamespaceTest {
    /** Exit status of the shell when the bind mount itself is refused. */
    private static final int MOUNT_REFUSED = 97;
    private static final String JVM_OUTPUT = "--- jvm";

    private Path work;

    @BeforeEach
    void makeDirectories() throws IOException {
        // under target/, on the build's filesystem: a bind of a tmpfs directory would rightly not count
        Path target = codeLocation(HostMountsInMountNamespaceTest.class).getParent();
        work = Files.createTempDirectory(target, "posture-namespace-").toRealPath();
    }

    @AfterEach
    void deleteDirectories() throws IOException {
        try (Stream<Path> paths = Files.walk(work)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    @Test
    void aBindMountMadeInANewMountNamespaceIsAHostMount() throws Exception {
        List<String> unshare = unshareCommand();
        // names with a space: the kernel writes \040, the parser must decode it
        Path source = Files.createDirectory(work.resolve("host dir"));
        Path target = Files.createDirectory(work.resolve("bind target"));
        String fsType = Files.getFileStore(source).type();
        Assumptions.assumeFalse(HostMounts.isPseudoFilesystem(fsType),
                "the build directory is on " + fsType + ", whose binds are not host mounts: " + work);

        List<String> command = new ArrayList<>(unshare);
        command.addAll(List.of("sh", "-c", "mount --bind \"$1\" \"$2\" || exit " + MOUNT_REFUSED
                + "; cat /proc/self/mountinfo; echo '" + JVM_OUTPUT + "'; exec \"$3\" -Xshare:auto -cp \"$4\" "
                + PrintHostMounts.class.getName(),
                "sh", source.toString(), target.toString(), javaCommand(), testClassPath()));
        Result result = run(command);
        Assumptions.assumeFalse(result.status == MOUNT_REFUSED,
                () -> "mount --bind not permitted in the new mount namespace: " + result.stderr);
        assertEquals(0, result.status, () -> "status " + result.status + ", stderr: " + result.stderr);

        int split = result.stdout.indexOf(JVM_OUTPUT);
        assertTrue(split > 0, () -> "no JVM output: " + result.stdout + result.stderr);
        List<String> shellTable = Arrays.asList(result.stdout.substring(0, split).split("\n"));
        List<String> jvmLines = Arrays.asList(result.stdout.substring(split + JVM_OUTPUT.length()).trim().split("\n"));

        System.out.println("forked JVM in " + String.join(" ", unshare) + ": " + String.join(" | ", jvmLines));
        // the kernel's own line for our mount, parsed
        List<Mount> mounts = MountInfo.parse(shellTable);
        Mount bind = mounts.stream().filter(m -> m.mountPoint().equals(target.toString())).findFirst()
                .orElseThrow(() -> new AssertionError("no mount at " + target + " in " + shellTable));
        assertTrue(bind.root().endsWith("/host dir"), bind::toString);
        assertEquals(fsType, bind.fsType());
        assertTrue(HostMounts.of(mounts).contains(target.toString()), () -> HostMounts.of(mounts).toString());

        // the forked JVM read /proc/self/mountinfo itself
        String encodedTarget = OctalEscapes.encode(target.toString());
        assertTrue(jvmLines.contains("host-mount=" + encodedTarget), () -> String.join("\n", jvmLines));
        String summary = jvmLines.get(jvmLines.size() - 1);
        assertTrue(summary.startsWith("posture: uid=0 (root) "), summary);
        assertTrue(summary.contains(" host-mounts=") && summary.contains(encodedTarget), summary);

        // and the namespace kept it to itself
        assertFalse(HostMounts.of(MountInfo.read(Path.of("/proc/self/mountinfo"))).contains(target.toString()));
    }

    /** {@code unshare} for a private mount namespace, or an abort that says why there is none. */
    private static List<String> unshareCommand() throws Exception {
        Path unshare = onPath("unshare");
        Assumptions.assumeTrue(unshare != null, "no unshare on PATH");
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "no /proc here");
        boolean root = ContainerPosture.read(Path.of("/proc/self/status"), List.of()).uid() == 0;
        List<String> command = new ArrayList<>(List.of(unshare.toString()));
        if (!root) {
            command.addAll(List.of("--user", "--map-root-user"));
        }
        command.addAll(List.of("--mount", "--propagation", "private"));
        List<String> probe = new ArrayList<>(command);
        probe.add("true");
        Result result = run(probe);
        Assumptions.assumeTrue(result.status == 0,
                () -> "unshare --mount not permitted here: " + String.join(" ", probe) + ": " + result.stderr.trim());
        return command;
    }

    private static Path onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String directory : path.split(File.pathSeparator)) {
            Path candidate = Path.of(directory.isEmpty() ? "." : directory, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** The JDK running this test. */
    private static String javaCommand() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** test-classes for the main class, classes for the agent's: the posture package needs nothing else. */
    private static String testClassPath() throws Exception {
        return codeLocation(PrintHostMounts.class) + File.pathSeparator + codeLocation(HostMounts.class);
    }

    private static Path codeLocation(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private record Result(int status, String stdout, String stderr) {
    }

    private static Result run(List<String> command) throws Exception {
        Path stderr = Files.createTempFile("posture-namespace", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectError(stderr.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            byte[] stdout = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            return new Result(process.exitValue(), new String(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr));
        } finally {
            Files.deleteIfExists(stderr);
        }
    }
}
