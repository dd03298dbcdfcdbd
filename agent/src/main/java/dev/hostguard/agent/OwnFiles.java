package dev.hostguard.agent;

import dev.hostguard.agent.config.AgentOptions;
import dev.hostguard.agent.policy.HostGuardFiles;
import java.nio.file.Path;
import java.security.CodeSource;

/** HostGuard's own files as this agent's options name them ({@link HostGuardFiles}), and the agent jar. */
final class OwnFiles {
    private OwnFiles() {
    }

    /** Never throws: a part that cannot be found is left out, the others are protected. */
    static HostGuardFiles of(AgentOptions options, String workingDirectory) {
        try {
            return HostGuardFiles.of(options.policy(), options.events().file(), agentJar(), workingDirectory);
        } catch (RuntimeException e) {
            System.err.println("[hostguard] WARN cannot list HostGuard's own files, they are not protected: " + e);
            return HostGuardFiles.NONE;
        }
    }

    /** The jar the agent was loaded from; {@code null} when it is not a jar (tests run from a class directory). */
    static Path agentJar() {
        try {
            CodeSource source = OwnFiles.class.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null || !"file".equals(source.getLocation().getProtocol())) {
                return null;
            }
            Path location = Path.of(source.getLocation().toURI());
            return location.toString().endsWith(".jar") ? location : null;
        } catch (Exception | Error unknown) {
            return null;
        }
    }
}
