package dev.hostguard.agent;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/** Jakarta servlets for {@link InProcessAgentTest}. */
final class JakartaServlets {
    private JakartaServlets() {
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
            service((jakarta.servlet.ServletRequest) request, (jakarta.servlet.ServletResponse) response);
        }

        @Override
        public OutputStream outputStream(OutputStream sink) {
            return new Sink(sink);
        }
    }

    /** Catches the refusal itself, as many handlers do, and answers nothing. */
    static final class Catching extends HttpServlet {
        private final transient Path marker;
        transient IOException caught;

        Catching(Path marker) {
            this.marker = marker;
        }

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) {
            try {
                Runtime.getRuntime().exec(new String[] {"touch", marker.toString()}).waitFor();
            } catch (IOException e) {
                caught = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Runs whatever the test hands it, catching nothing. */
    static final class Doing extends HttpServlet {
        interface Work {
            void run() throws Exception;
        }

        private final transient Work work;

        Doing(Work work) {
            this.work = work;
        }

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            try {
                work.run();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
    }

    /** Fails with an exception of its own. */
    static final class Throwing extends HttpServlet {
        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) {
            throw new IllegalStateException("the application failed");
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
