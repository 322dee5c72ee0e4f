package io.wirehub.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A program of the machine a test runs (Debian's promtool, nginx): found on the PATH or in the
 * sbin directories (nginx is in /usr/sbin, off a user's PATH). Tests skip, saying what to install,
 * where it is missing; .ci/run installs them, and under CI a skip fails ({@link SkipsFailUnderCi}).
 */
public final class InstalledTool {
    private InstalledTool() {}

    /** The program, or null when it is not installed. */
    public static Path find(String name) {
        List<String> dirs =
                new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/sbin"));
        return dirs.stream()
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .findFirst()
                .orElse(null);
    }

    /** Skips the test, saying so on stderr, unless what it needs is there (under CI: fails). */
    public static void require(boolean present, String test, String what) {
        if (!present) {
            System.err.println("SKIPPED " + test + ": " + what);
            Assumptions.abort(test + ": " + what);
        }
    }

    public record Result(int exitCode, String output) {}

    /** Runs a command to its end (at most a minute), stdout and stderr together. */
    public static Result run(Path workingDirectory, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command)
                .directory(workingDirectory.toFile())
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes(); // ends when the process does
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError(String.join(" ", command) + " did not end within a minute");
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
