package dev.hostguard.agent;

import dev.hostguard.agent.path.ResolvedPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A Unix socket reached under a name no rule knows, judged as what it is: a hard link to a runtime's socket
 * ({@code ln /run/docker.sock /tmp/innocent}) has the socket's device and inode, and a link count above one. Only a
 * socket with more than one name is compared, with the sockets at the runtimes' homes ({@code RuntimeSocketHomes}),
 * each looked at when needed: a connect is rare, and a daemon that restarted has a new inode.
 */
final class SocketIdentities {
    private SocketIdentities() {
    }

    /**
     * @return the runtime socket {@code socket} is another name of, as a path whose canonical form is that socket's
     *         and whose given form is {@code socket}'s; {@code null} when it is none, or cannot be told
     */
    static ResolvedPath runtimeSocketNamed(ResolvedPath socket, List<String> homes) {
        Map<String, Object> linked;
        try {
            linked = Files.readAttributes(Path.of(socket.canonical()), "unix:nlink,dev,ino");
        } catch (IOException | RuntimeException e) {
            return null; // gone, or not a path this file system can tell: the connect fails or is judged by name
        }
        if (!(linked.get("nlink") instanceof Integer links) || links < 2) {
            return null;
        }
        for (String home : homes) {
            try {
                Path path = Path.of(home);
                Map<String, Object> runtime = Files.readAttributes(path, "unix:dev,ino");
                if (runtime.get("dev").equals(linked.get("dev")) && runtime.get("ino").equals(linked.get("ino"))) {
                    String canonical = path.toRealPath().toString();
                    return new ResolvedPath(socket.given(), socket.absolute(), canonical);
                }
            } catch (IOException | RuntimeException e) {
                // no runtime there
            }
        }
        return null;
    }
}
