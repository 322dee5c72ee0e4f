package io.wirehub.app;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What the command line asks for. Anything not understood is refused rather than ignored: a
 * mistyped {@code --confg production.yaml} used to start an open server on the embedded defaults.
 */
sealed interface CommandLine {
    // NOTE: printed by --help and on every refusal; scripts may match it.
    String USAGE = "usage: java -jar wirehub.jar [--config FILE] [--help] [--version]";

    /** Start the server with this file, or with none (the built-in defaults, then the environment). */
    record Run(Optional<Path> config) implements CommandLine {}

    record Help() implements CommandLine {}

    record Version() implements CommandLine {}

    /** Thrown with the one line that says what was wrong; the caller adds {@link #USAGE}. */
    final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    static CommandLine parse(String[] args) throws UsageException {
        Path config = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--help", "-h" -> {
                    return new Help();
                }
                case "--version" -> {
                    return new Version();
                }
                case "--config" -> {
                    if (i + 1 == args.length || args[i + 1].startsWith("--")) {
                        throw new UsageException("--config needs a file");
                    }
                    config = once(config, Path.of(args[++i]));
                }
                default -> {
                    if (arg.startsWith("--config=") && arg.length() > "--config=".length()) {
                        config = once(config, Path.of(arg.substring("--config=".length())));
                    } else if (arg.startsWith("-")) {
                        throw new UsageException("unknown option '" + arg + "'");
                    } else {
                        throw new UsageException(
                                "unexpected argument '" + arg + "' (a file is given with --config " + arg + ")");
                    }
                }
            }
        }
        return new Run(Optional.ofNullable(config));
    }

    private static Path once(Path earlier, Path config) throws UsageException {
        if (earlier != null) {
            throw new UsageException("--config is given twice");
        }
        return config;
    }
}
