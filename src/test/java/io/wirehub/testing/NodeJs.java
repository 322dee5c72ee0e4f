package io.wirehub.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The machine's Node.js, for the JavaScript client's tests. Where it is missing or older than 20,
 * a test skips, saying so on stderr, and fails under CI ({@link SkipsFailUnderCi}: .ci/run
 * installs it, so its absence is a broken CI, never a silent skip).
 */
public final class NodeJs {
    public static final Path CLIENT_DIR = Path.of("src", "main", "js");

    private NodeJs() {}

    /** Node's major version, or 0 when there is no node on the PATH. */
    public static int major() {
        try {
            Process process = new ProcessBuilder("node", "--version")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            process.waitFor(10, TimeUnit.SECONDS);
            return out.startsWith("v") ? Integer.parseInt(out.substring(1, out.indexOf('.'))) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /**
     * {@code npm ci} in the client's directory when its node_modules do not match the lockfile:
     * from npm's cache when it has the packages (offline after the first run), else the registry.
     */
    public static void installDevDependencies() throws IOException, InterruptedException {
        Path installed = CLIENT_DIR.resolve("node_modules/.package-lock.json");
        Path lock = CLIENT_DIR.resolve("package-lock.json");
        if (Files.exists(installed)
                && Files.getLastModifiedTime(installed).compareTo(Files.getLastModifiedTime(lock)) >= 0) {
            return;
        }
        Process npm = new ProcessBuilder("npm", "ci", "--prefer-offline", "--no-audit", "--no-fund")
                .directory(CLIENT_DIR.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
            throw new AssertionError("npm ci in " + CLIENT_DIR + " failed:\n" + out);
        }
    }
}
