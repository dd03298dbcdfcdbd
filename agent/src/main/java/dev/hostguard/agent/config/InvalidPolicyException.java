package dev.hostguard.agent.config;

import java.util.List;

/** A policy file that cannot be used, with every problem found in it, each with its line and column. */
public final class InvalidPolicyException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<PolicyProblem> problems;

    public InvalidPolicyException(List<PolicyProblem> problems) {
        super(describe(problems));
        this.problems = List.copyOf(problems);
    }

    public List<PolicyProblem> problems() {
        return problems;
    }

    /**
     * What start-up and {@code check} print: a first line naming the file and the number of problems, then one
     * indented line per problem, with its line and column.
     */
    public String report(String path) {
        int n = problems.size();
        return "invalid policy file " + path + " (" + n + (n == 1 ? " problem)" : " problems)") + "\n  "
                + getMessage().replace("\n", "\n  ");
    }

    /** One line per problem, e.g. {@code policy.yaml:7:3: unknown key 'mdoe'; did you mean 'mode'?}. */
    private static String describe(List<PolicyProblem> problems) {
        StringBuilder text = new StringBuilder();
        for (PolicyProblem problem : problems) {
            if (text.length() > 0) {
                text.append('\n');
            }
            text.append(problem);
        }
        return text.toString();
    }
}
