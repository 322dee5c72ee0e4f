package io.wirehub.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.config.Settings;
import io.wirehub.config.SettingsLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * config/systemd/wirehub.service: systemd itself finds nothing to complain about, and what it sets
 * fits the server's defaults in production.yaml: enough file descriptors for max_connections, a
 * stop timeout past the drain, SIGTERM, restarts on failure only, and the hardening.
 */
class SystemdUnitIT {
    private static final Path UNIT = Path.of("config/systemd/wirehub.service");

    @TempDir
    Path tmp;

    @Test
    void systemdAnalyzeVerifyFindsNothingToSay() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        Assumptions.assumeTrue(
                Files.isExecutable(analyze), "systemd-analyze is not installed (Debian: package systemd)");
        // verify also checks that ExecStart exists: point it at the launcher in this tree.
        Path unit = tmp.resolve("wirehub.service");
        Files.writeString(
                unit,
                Files.readString(UNIT)
                        .replace(
                                "/opt/wirehub/bin/wirehub",
                                Path.of("src/dist/bin/wirehub").toAbsolutePath().toString()));
        Process process = new ProcessBuilder(analyze.toString(), "verify", unit.toString())
                .redirectErrorStream(true)
                .start();
        String said = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), said);
        assertEquals("", said.strip(), "every line of the unit parses");
    }

    @Test
    void itsLimitsFitTheServersSettings() throws IOException {
        Map<String, String> unit = directives();
        Settings production = SettingsLoader.load(
                Path.of("config/production.yaml"),
                Map.of("WH_AUTH_JWT_SECRET", "a-stand-in-secret-of-at-least-32-bytes!"));
        assertTrue(
                Long.parseLong(unit.get("LimitNOFILE")) >= production.server().maxConnections() + 256,
                "a file descriptor per stream, and a few hundred more");
        assertTrue(
                Long.parseLong(unit.get("TimeoutStopSec"))
                        > production.server().shutdownDelay().toSeconds()
                                + production.server().drainTimeout().toSeconds()
                                + 5,
                "systemd waits for server.shutdown_delay, the drain and the JVM's exit before SIGKILL");
        assertEquals("SIGTERM", unit.get("KillSignal"));
        assertEquals("on-failure", unit.get("Restart"));
        assertEquals("2", unit.get("RestartPreventExitStatus"), "a refused configuration is not restarted in a loop");
        assertEquals("yes", unit.get("NoNewPrivileges"));
        assertEquals("strict", unit.get("ProtectSystem"));
        assertEquals("yes", unit.get("DynamicUser"));
        assertTrue(
                unit.get("ExecStart").startsWith("/opt/wirehub/bin/wirehub --config "), "started through the launcher");
    }

    private static Map<String, String> directives() throws IOException {
        Map<String, String> directives = new HashMap<>();
        for (String line : Files.readAllLines(UNIT)) {
            int equals = line.indexOf('=');
            if (!line.startsWith("#") && equals > 0) {
                directives.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        return directives;
    }
}
