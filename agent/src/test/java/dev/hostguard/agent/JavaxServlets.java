package dev.hostguard.agent;

import javax.servlet.ServletOutputStream;
import javax.servlet.WriteListener;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/** javax servlets for {@link InProcessAgentTest}. */
final class JavaxServlets {
    private JavaxServlets() {
    }

    static final class Touching extends HttpServlet implements InProcessAgentTest.ServletUnderTest {
        private final transient Path marker;

        Touching(Path marker) {
            this.marker = marker;
        }

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            try {
                new ProcessBuilder("touch", marker.toString()).start().waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void serve(Object request, Object response) throws Exception {
            service((javax.servlet.ServletRequest) request, (javax.servlet.ServletResponse) response);
        }

        @Override
        public OutputStream outputStream(OutputStream sink) {
            return new Sink(sink);
        }
    }

    static final class Sink extends ServletOutputStream {
        private final OutputStream out;

        Sink(OutputStream out) {
            this.out = out;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }
    }
}
