package dev.hostguard.demo;

import java.io.File;
import java.util.Map;

/**
 * The parameters of a process action, parsed once so that every start shape gets the same argv.
 *
 * @param line the command as given (Runtime.exec(String) tokenizes it itself)
 * @param argv the command split on whitespace
 * @param dir working directory, or null for the JVM's own
 * @param envp environment for the exec-*-env shapes, or null to inherit
 */
record ProcessCommand(String line, String[] argv, File dir, String[] envp) {

    private static final String[] DEFAULT_ENVP = {"DEMO=1"};

    static ProcessCommand from(Map<String, String> params) {
        String line = Actions.required(params, "cmd").trim();
        String dir = params.get("dir");
        String env = params.get("env");
        String[] envp = env == null || env.isBlank() ? DEFAULT_ENVP.clone()
                : "inherit".equals(env.trim()) ? null
                : env.trim().split("\\s+");
        return new ProcessCommand(line, line.split("\\s+"),
                dir == null || dir.isBlank() ? null : new File(dir), envp);
    }

    /** The directory as ProcessImpl wants it: a path string, or null. */
    String dirPath() {
        return dir == null ? null : dir.getPath();
    }

    ProcessBuilder processBuilder() {
        return new ProcessBuilder(argv).directory(dir);
    }
}
