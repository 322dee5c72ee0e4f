package io.wirehub.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.app.Main;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@link Main} as an operator runs it: a process of its own, with its arguments and only the
 * {@code WH_*} variables given, that is expected to end by itself (a refusal, --help, --version).
 */
public final class MainProcess {
    private MainProcess() {}

    public record Ended(int exitCode, String out, String err) {
        /** The lines wirehub itself prints on stderr (log records excluded). */
        public List<String> wirehubLines() {
            return err.lines().filter(line -> line.startsWith("wirehub:")).toList();
        }
    }

    public static Ended run(List<String> args, Map<String, String> env) throws IOException, InterruptedException {
        Running running = start(args, env);
        try {
            Process process = running.process();
            boolean ended = process.waitFor(30, TimeUnit.SECONDS);
            if (!ended) {
                process.destroyForcibly().waitFor();
            }
            assertTrue(ended, "exits by itself: " + running.out() + running.err());
            return new Ended(process.exitValue(), running.out(), running.err());
        } finally {
            Files.deleteIfExists(running.outFile());
            Files.deleteIfExists(running.errFile());
        }
    }

    /** A running {@link Main}: its process and where its output goes. */
    public record Running(Process process, Path outFile, Path errFile) {
        public String out() {
            return read(outFile);
        }

        public String err() {
            return read(errFile);
        }

        private static String read(Path file) {
            try {
                return Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Starts {@link Main} and returns at once; the caller stops it and deletes the two files. */
    public static Running start(List<String> args, Map<String, String> env) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("WH_"));
        builder.environment().putAll(env);
        Path out = Files.createTempFile("wirehub-out", ".txt");
        Path err = Files.createTempFile("wirehub-err", ".txt");
        return new Running(
                builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start(), out, err);
    }

    /** The checked-in embedded default: memory store, local bus. */
    public static List<String> withDefaultConfig(String... more) {
        List<String> args = new ArrayList<>(List.of(
                "--config", Path.of("config/application.yaml").toAbsolutePath().toString()));
        args.addAll(List.of(more));
        return args;
    }
}
