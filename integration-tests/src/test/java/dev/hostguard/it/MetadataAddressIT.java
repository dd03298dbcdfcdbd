package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default {@code cloud-metadata} rule on its real addresses, 169.254.169.254 and fd00:ec2::254, each with a
 * {@link TcpStandIn} on port 80: inside a network namespace of the test's own ({@code unshare --net}, as root), whose
 * loopback gets both addresses, so nothing changes on the machine's own interfaces and everything goes with the
 * namespace, also on a failure. In it the JDK HttpServer app runs with the agent in block mode and no policy; the
 * script ({@value #SCRIPT}) asks it, with the API key, to connect to each address through {@code Socket},
 * {@code HttpClient}, {@code URL.openConnection} and {@code SocketChannel}, then as the logged-in user through
 * {@code Socket}. Expected: the four API-key requests answered 403 naming {@code cloud-metadata}; the stand-ins
 * recorded only the user's requests (one each, so none of the refused connects reached them); the events are
 * {@code network-connect}, blocked, with {@code destination.address} the metadata address. Skipped (aborted, with
 * the reason) where a network namespace cannot be made (not root, no {@code unshare} or {@code ip}).
 */
class MetadataAddressIT {
    static final String SCRIPT = "metadata-netns.sh";

    @TempDir
    static Path tmp;

    @TestFactory
    Stream<DynamicNode> cloudMetadataOnItsRealAddresses() {
        return Jdks.all().stream().map(jdk -> dynamicTest("JDK " + jdk.version() + ": API-key connects to"
                + " 169.254.169.254:80 and [fd00:ec2::254]:80 refused (403, cloud-metadata, the stand-ins never"
                + " accepted them), the logged-in user's reach them", () -> run(jdk)));
    }

    private static void run(Jdks.Jdk jdk) throws Exception {
        requireNetworkNamespace();
        Path dir = Files.createDirectories(tmp.resolve(jdk.label()));
        Path script = dir.resolve(SCRIPT);
        Files.writeString(script, SCRIPT_TEXT);
        // the app's class path as GuardedServer gives it: this module's test classes and the demo, nothing more (the
        // test JVM's own class path holds the agent's jar, which must come only through -javaagent)
        String classPath = BuiltArtifacts.testClasses() + java.io.File.pathSeparator + BuiltArtifacts.demoJar();
        ProcessBuilder builder = new ProcessBuilder("unshare", "--net", "bash", script.toString())
                .directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().put("JAVA", jdk.java().toString());
        builder.environment().put("AGENT", BuiltArtifacts.agentJar().toString());
        builder.environment().put("CP", classPath);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the namespace script did not end");
        Files.writeString(dir.resolve("output.txt"), output);
        assertEquals(0, process.exitValue(), () -> "the namespace script failed:\n" + output);

        List<String> answers = output.lines().filter(l -> l.startsWith("answer ")).toList();
        assertEquals(6, answers.size(), () -> "answers:\n" + output);
        for (String answer : answers.subList(0, 4)) {
            assertTrue(answer.contains(" 403 ") && answer.contains("\"rule\":\"cloud-metadata\""),
                    () -> "expected the agent's 403: " + answer + "\n" + output);
        }
        for (String answer : answers.subList(4, 6)) {
            assertTrue(answer.contains(" 200 ") && answer.contains(TcpStandIn.BODY),
                    () -> "expected the stand-in's answer for the user: " + answer + "\n" + output);
        }
        assertEquals(List.of("GET /tcp-socket HTTP/1.1"), Files.readAllLines(dir.resolve("record-v4.txt")),
                "what the 169.254.169.254 stand-in recorded (the user's request only)");
        assertEquals(List.of("GET /tcp-socket HTTP/1.1"), Files.readAllLines(dir.resolve("record-v6.txt")),
                "what the fd00:ec2::254 stand-in recorded (the user's request only)");

        List<String> destinations = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("events.jsonl"))) {
            JsonNode event = EventLog.JSON.readTree(line);
            if (event.path("event").path("action").asText().equals("network-connect")) {
                assertEquals("blocked", event.path("hostguard").path("decision").asText(), line);
                assertEquals("cloud-metadata", event.path("hostguard").path("rule").asText(), line);
                assertEquals("api-key", event.path("hostguard").path("auth").asText(), line);
                assertEquals(80, event.path("destination").path("port").asInt(), line);
                destinations.add(event.path("destination").path("address").asText());
            }
        }
        // Socket, HttpClient (twice: it retries a failed connect), URL to the IPv4 address; SocketChannel to IPv6
        assertEquals(List.of("169.254.169.254", "169.254.169.254", "169.254.169.254", "169.254.169.254",
                "fd00:ec2:0:0:0:0:0:254"), destinations, () -> "events:\n" + output);
    }

    private static void requireNetworkNamespace() throws IOException, InterruptedException {
        Process probe;
        try {
            probe = new ProcessBuilder("unshare", "--net", "ip", "link", "set", "lo", "up")
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("no unshare here: " + e.getMessage());
            return;
        }
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Assumptions.assumeTrue(probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0,
                () -> "cannot make a network namespace with its own loopback here (needs root, unshare, ip): " + out);
    }

    /**
     * Runs in the namespace: both addresses on its loopback, a stand-in on each (port 80), the app with the agent
     * (block, no policy), the requests; the processes it started are killed on every exit path.
     */
    private static final String SCRIPT_TEXT = """
            set -eu
            pids=""
            trap 'for p in $pids; do kill $p 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
            ip link set lo up
            ip addr add 169.254.169.254/32 dev lo
            ip -6 addr add fd00:ec2::254/128 dev lo nodad
            : > record-v4.txt; : > record-v6.txt
            "$JAVA" -cp "$CP" dev.hostguard.it.TcpStandIn 169.254.169.254 80 record-v4.txt > stand-in-v4.out 2>&1 &
            pids="$pids $!"
            "$JAVA" -cp "$CP" dev.hostguard.it.TcpStandIn fd00:ec2::254 80 record-v6.txt > stand-in-v6.out 2>&1 &
            pids="$pids $!"
            API_KEY=k3y OPS_USER=ops OPS_PASSWORD=pw PORT=0 "$JAVA" -javaagent:"$AGENT"=mode=block,events=events.jsonl \\
              -cp "$CP" dev.hostguard.it.app.HttpServerApp > app.out 2>&1 &
            pids="$pids $!"
            for i in $(seq 1 300); do
              grep -q "listening on" app.out && grep -q listening stand-in-v4.out && grep -q listening stand-in-v6.out && break
              sleep 0.1
            done
            base=$(grep -o "http://127.0.0.1:[0-9]*" app.out | head -1)
            ask() { # credentials-option route api host
              local out
              out=$("$JAVA" -cp "$CP" dev.hostguard.it.MetadataAddressIT\\$Get "$base$2?api=$3&host=$4&port=80" "$1")
              echo "answer $3 $4 $out"
            }
            ask key /admin/exec tcp-socket 169.254.169.254
            ask key /admin/exec tcp-http-client 169.254.169.254
            ask key /admin/exec tcp-url-connection 169.254.169.254
            ask key /admin/exec tcp-socket-channel fd00:ec2::254
            ask user /user/exec tcp-socket 169.254.169.254
            ask user /user/exec tcp-socket fd00:ec2::254
            """;

    /** {@code <url> key|user}: one GET with the key or the login; prints {@code <status> <body on one line>}. */
    public static final class Get {
        private Get() {
        }

        public static void main(String[] args) throws Exception {
            java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(args[0]));
            if (args[1].equals("key")) {
                request.header("X-API-Key", "k3y");
            } else {
                request.header("Authorization", "Basic " + java.util.Base64.getEncoder()
                        .encodeToString("ops:pw".getBytes(StandardCharsets.UTF_8)));
            }
            java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient()
                    .send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            System.out.println(response.statusCode() + " " + response.body().replace('\n', ' '));
        }
    }
}
