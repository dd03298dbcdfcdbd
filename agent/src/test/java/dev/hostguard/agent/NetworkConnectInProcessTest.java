package dev.hostguard.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.bootstrap.HostGuardBlockedException;
import dev.hostguard.agent.bootstrap.Hooks;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The network-connect hook in this JVM, with the real agent in block mode and a policy that adds two loopback
 * listeners to {@code docker-api-tcp}: one by address, one by name ({@code localhost}). A connect inside an
 * API-key request is refused before it reaches the listener (a non-blocking {@code accept} finds no connection:
 * the kernel would have completed one into the backlog), the same connect outside a request goes through, the
 * {@code InetAddress}'s name and IPv6 bytes are read in place (the JDK's fields, not the public API), and a
 * guarded request's connect that matches no rule allocates nothing.
 */
class NetworkConnectInProcessTest {
    @TempDir
    static Path dir;
    static ServerSocketChannel byAddress;
    static ServerSocketChannel byName;
    static ServerSocketChannel unlisted;
    static Path events;

    @BeforeAll
    static void attach() throws Exception {
        byAddress = listener();
        byName = listener();
        unlisted = listener();
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "rules:\n  - id: docker-api-tcp\n    endpoints: [\"127.0.0.1:" + port(byAddress)
                + "\", \"localhost:" + port(byName) + "\"]\n");
        events = dir.resolve("events.jsonl");
        AgentMain.agentmain("mode=block,policy=" + policy + ",events=" + events, ByteBuddyAgent.install());
    }

    @AfterAll
    static void close() throws IOException {
        for (ServerSocketChannel c : new ServerSocketChannel[] {byAddress, byName, unlisted}) {
            c.close();
        }
    }

    private static ServerSocketChannel listener() throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        server.configureBlocking(false);
        return server;
    }

    private static int port(ServerSocketChannel server) throws IOException {
        return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    /** Runs {@code work} inside a request that carries only an API key. */
    private static void inApiKeyRequest(ThrowingRunnable work) throws Exception {
        FakeServletExchange exchange = new FakeServletExchange();
        exchange.headers.put("x-api-key", "k");
        Object token = Hooks.requestEnter(exchange.request("jakarta.servlet"), exchange.response("jakarta.servlet",
                new JakartaServlets.Sink(exchange.body)));
        try {
            work.run();
        } finally {
            Hooks.requestExit(token, null);
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** No connection reached the listener: the kernel would have completed it into the backlog. */
    private static void assertNeverConnected(ServerSocketChannel server) throws IOException {
        try (SocketChannel accepted = server.accept()) {
            assertNull(accepted, "a connection reached the listener");
        }
    }

    @Test
    void theJdksFieldsAreReadInPlace() throws Exception {
        assertTrue(InetAddressFields.DIRECT, "the agent exported jdk.internal.misc; the fields were found");
        assertEquals("localhost", InetAddressFields.hostName(InetAddress.getByName("localhost")));
        assertNull(InetAddressFields.hostName(InetAddress.getByName("127.0.0.1")), "a literal carries no name");
        java.net.Inet6Address v6 = (java.net.Inet6Address) InetAddress.getByName("fd00:ec2::254");
        assertEquals(List.of(v6.getAddress().length), List.of(InetAddressFields.ipv6(v6).length));
        assertTrue(java.util.Arrays.equals(v6.getAddress(), InetAddressFields.ipv6(v6)));
    }

    @Test
    void aSocketToAnAddedEndpointIsRefusedInAnApiKeyRequest() throws Exception {
        int before = lines();
        inApiKeyRequest(() -> {
            HostGuardBlockedException refused = assertThrows(HostGuardBlockedException.class,
                    () -> new Socket("127.0.0.1", port(byAddress)).close());
            assertEquals("docker-api-tcp", refused.rule());
        });
        assertNeverConnected(byAddress);
        String event = lines(before).get(0);
        assertTrue(event.contains("\"action\":\"network-connect\""), event);
        assertTrue(event.contains("\"rule\":\"docker-api-tcp\""), event);
        assertTrue(event.contains("\"destination\":{\"address\":\"127.0.0.1\",\"ip\":\"127.0.0.1\",\"port\":"
                + port(byAddress) + "}"), event);
        assertTrue(event.contains("\"access\":\"connect\""), event);
    }

    @Test
    void aChannelToAnAddedNameIsRefusedAndTheEventNamesIt() throws Exception {
        int before = lines();
        inApiKeyRequest(() -> assertThrows(HostGuardBlockedException.class,
                () -> SocketChannel.open(new InetSocketAddress("localhost", port(byName))).close()));
        assertNeverConnected(byName);
        String event = lines(before).get(0);
        assertTrue(event.contains("\"port\":" + port(byName) + ",\"domain\":\"localhost\"}"), event);
        // the same port by address carries no name: no endpoint matches it
        inApiKeyRequest(() -> SocketChannel.open(new InetSocketAddress("127.0.0.1", port(byName))).close());
        try (SocketChannel accepted = byName.accept()) {
            assertTrue(accepted != null, "the connect by address went through");
        }
    }

    @Test
    void outsideARequestTheConnectGoesThrough() throws Exception {
        new Socket("127.0.0.1", port(byAddress)).close();
        try (SocketChannel accepted = byAddress.accept()) {
            assertTrue(accepted != null, "the connect outside a request went through");
        }
    }

    @Test
    void aGuardedConnectThatMatchesNoRuleAllocatesNothing() throws Exception {
        InetAddress[] addresses = {InetAddress.getByName("localhost"), InetAddress.getByName("127.0.0.1"),
            InetAddress.getByName("::1"), InetAddress.getByAddress("db.internal", new byte[] {10, 0, 0, 5}),
            InetAddress.getByName("fd00:ec2::253")};
        int[] ports = {5432, 443, 80, 6379, port(unlisted)};
        AllocationMeter meter = AllocationMeter.require();
        inApiKeyRequest(() -> {
            double perCall = meter.bytesPerCall(calls -> {
                for (int i = 0; i < calls; i++) {
                    Hooks.networkConnect(addresses[i % addresses.length], ports[i % ports.length]);
                }
            });
            System.out.printf("[allocation] networkConnect in an api-key request, no rule matched: %.4f bytes per"
                    + " call%n", perCall);
            assertTrue(perCall < AllocationMeter.ZERO_BYTES_PER_CALL, perCall + " bytes per call");
            // and the hook is live: an address the rules name is refused on the same thread
            assertThrows(HostGuardBlockedException.class,
                    () -> Hooks.networkConnect(InetAddress.getByName("169.254.169.254"), 80));
        });
    }

    private static int lines() throws IOException {
        return Files.exists(events) ? Files.readAllLines(events).size() : 0;
    }

    private static List<String> lines(int from) throws IOException {
        List<String> all = Files.readAllLines(events);
        return all.subList(from, all.size());
    }
}
