package dev.hostguard.it;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The JDKs the guarded services run on: the one running the build ({@code java.home}), every
 * {@code /usr/lib/jvm/temurin-25*}, and any listed in system property {@code hostguard.it.jdks} or
 * {@code HOSTGUARD_IT_JDKS} (system property or environment variable), separated by {@link File#pathSeparator}.
 * Duplicates (same real path) are dropped. The list is printed once per test JVM.
 */
public final class Jdks {

    /** One JDK: its home and the version its {@code release} file (or {@code java -version}) reports. */
    public record Jdk(Path home, String version) {
        public Path java() {
            return home.resolve("bin").resolve("java");
        }

        /** The feature release, e.g. 17 or 25. */
        public int feature() {
            Matcher m = Pattern.compile("^(1\\.)?(\\d+)").matcher(version);
            return m.find() ? Integer.parseInt(m.group(2)) : 0;
        }

        /** Short label for test names and file names, e.g. {@code jdk17}. */
        public String label() {
            return "jdk" + feature();
        }

        @Override
        public String toString() {
            return version + " (" + home + ")";
        }
    }

    private static final Pattern RELEASE_VERSION = Pattern.compile("^JAVA_VERSION=\"?([^\"]+)\"?\\s*$", Pattern.MULTILINE);
    private static final Pattern DASH_VERSION = Pattern.compile("version \"([^\"]+)\"");

    private static volatile List<Jdk> all;

    private Jdks() {
    }

    /** All JDKs to run on, in a stable order: the build's own first. */
    public static List<Jdk> all() {
        List<Jdk> result = all;
        if (result == null) {
            synchronized (Jdks.class) {
                result = all;
                if (result == null) {
                    result = discover();
                    all = result;
                    System.out.println("[it] JDKs: " + result.stream().map(Jdk::toString).collect(Collectors.joining(", ")));
                }
            }
        }
        return result;
    }

    /**
     * The first JDK older than {@code feature}, for infrastructure that cannot run on newer ones (never a service
     * under test): the first of {@link #all()} that is, else the first under {@code /usr/lib/jvm} (by name), so a
     * build run on JDK 25 still finds the machine's 17. Fails, naming where it looked, when there is none.
     */
    public static Jdk before(int feature) {
        for (Jdk jdk : all()) {
            if (jdk.feature() < feature) {
                return jdk;
            }
        }
        try (DirectoryStream<Path> jvms = Files.newDirectoryStream(Path.of("/usr/lib/jvm"))) {
            List<Path> sorted = new ArrayList<>();
            jvms.forEach(sorted::add);
            sorted.sort(null);
            for (Path home : sorted) {
                if (Files.isExecutable(home.resolve("bin/java"))) {
                    Jdk jdk = new Jdk(home, versionOf(home));
                    if (jdk.feature() >= 17 && jdk.feature() < feature) {
                        return jdk;
                    }
                }
            }
        } catch (IOException | RuntimeException noSuchDirectory) {
            // only the listed JDKs
        }
        throw new IllegalStateException("no JDK 17 to " + (feature - 1) + " among " + all()
                + " or in /usr/lib/jvm; list one in HOSTGUARD_IT_JDKS");
    }

    private static List<Jdk> discover() {
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of(System.getProperty("java.home")));
        try (DirectoryStream<Path> jvms = Files.newDirectoryStream(Path.of("/usr/lib/jvm"), "temurin-25*")) {
            List<Path> sorted = new ArrayList<>();
            jvms.forEach(sorted::add);
            sorted.sort(null);
            candidates.addAll(sorted);
        } catch (IOException | RuntimeException noSuchDirectory) {
            // not a Debian-style layout: only the build JDK and explicit ones
        }
        for (String listed : new String[] {System.getProperty("hostguard.it.jdks"), System.getProperty("HOSTGUARD_IT_JDKS"),
                System.getenv("HOSTGUARD_IT_JDKS")}) {
            if (listed != null) {
                for (String entry : listed.split(Pattern.quote(File.pathSeparator))) {
                    if (!entry.isBlank()) {
                        candidates.add(Path.of(entry.trim()));
                    }
                }
            }
        }
        Map<Path, Jdk> byRealPath = new LinkedHashMap<>();
        for (Path candidate : candidates) {
            Path home = candidate;
            if (!Files.isExecutable(home.resolve("bin/java")) && Files.isExecutable(home.resolve("../bin/java"))) {
                home = home.resolve("..").normalize(); // a JDK 8-style jre/ path
            }
            if (!Files.isExecutable(home.resolve("bin/java"))) {
                System.out.println("[it] ignoring " + candidate + ": no bin/java");
                continue;
            }
            Path real;
            try {
                real = home.toRealPath();
            } catch (IOException e) {
                continue;
            }
            if (!byRealPath.containsKey(real)) {
                byRealPath.put(real, new Jdk(home, versionOf(home)));
            }
        }
        return List.copyOf(byRealPath.values());
    }

    static String versionOf(Path home) {
        Path release = home.resolve("release");
        if (Files.isRegularFile(release)) {
            try {
                Matcher m = RELEASE_VERSION.matcher(Files.readString(release, StandardCharsets.UTF_8));
                if (m.find()) {
                    return m.group(1);
                }
            } catch (IOException ignored) {
                // fall back to running it
            }
        }
        try {
            Process p = new ProcessBuilder(home.resolve("bin/java").toString(), "-version").redirectErrorStream(true).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            Matcher m = DASH_VERSION.matcher(out);
            if (m.find()) {
                return m.group(1);
            }
        } catch (IOException e) {
            // reported below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "unknown";
    }
}
