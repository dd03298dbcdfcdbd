package dev.hostguard.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/** What the peer of a connection a test made has read: the proof of what a refused write did not send. */
final class PeerReads {
    private PeerReads() {
    }

    /** What {@code peer} read before {@code marker}, which the test sent outside any request (blocking until then). */
    static String upTo(SocketChannel peer, String marker) throws IOException {
        StringBuilder got = new StringBuilder();
        ByteBuffer buffer = ByteBuffer.allocate(256);
        while (got.indexOf(marker) < 0) {
            buffer.clear();
            if (peer.read(buffer) < 0) {
                throw new AssertionError("closed before " + marker + ": " + got);
            }
            got.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII));
        }
        return got.substring(0, got.length() - marker.length());
    }
}
