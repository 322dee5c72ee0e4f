package io.wirehub.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The jar's entry point on a JVM too old for wirehub: one line naming the Java needed, exit 1,
 * instead of UnsupportedClassVersionError. Run with a real older JDK from /usr/lib/jvm (Debian 12's
 * default is 17, so CI has one); and on the test's own JVM it starts wirehub as before.
 */
class RequireJavaIT {
    private static final String ENTRY_POINT = "io.wirehub.app.RequireJava";

    @Test
    void anOldJvmIsToldInOneLineWhichJavaIsNeeded() throws Exception {
        Optional<Path> old = olderThan21();
        Assumptions.assumeTrue(
                old.isPresent(), "no JDK older than 21 in /usr/lib/jvm (apt-get install openjdk-17-jre-headless)");
        Process process = new ProcessBuilder(
                        old.get().resolve("bin/java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        ENTRY_POINT,
                        "--version")
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, process.exitValue(), out + err);
        assertEquals("", out);
        List<String> lines = err.lines().toList();
        assertEquals(1, lines.size(), err);
        assertTrue(lines.getFirst().startsWith("wirehub: needs Java 21 or newer; this is Java 17 (" + old.get()), err);
    }

    @Test
    void aJava21OrNewerStartsWirehub() throws Exception {
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        ENTRY_POINT,
                        "--version")
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue());
        assertTrue(out.startsWith("wirehub "), out);
    }

    private static Optional<Path> olderThan21() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(jvms)) {
            return dirs.filter(dir -> Files.isExecutable(dir.resolve("bin/java"))
                            && release(dir).matches("1[1-9]|[89]|1\\.8"))
                    .findFirst();
        }
    }

    private static String release(Path javaHome) {
        try {
            return Files.readAllLines(javaHome.resolve("release")).stream()
                    .filter(line -> line.startsWith("JAVA_VERSION="))
                    .map(line -> line.replaceAll("JAVA_VERSION=\"(1\\.8|\\d+).*", "$1"))
                    .findFirst()
                    .orElse("");
        } catch (IOException e) {
            return "";
        }
    }
}
