package io.wirehub.config;

import java.util.List;

/** The configuration cannot be used; one line per problem, each naming its key. */
public class InvalidSettingsException extends RuntimeException {
    private final List<String> problems;

    public InvalidSettingsException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
