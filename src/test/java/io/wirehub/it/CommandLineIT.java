package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.testing.MainProcess;
import io.wirehub.testing.MainProcess.Ended;
import io.wirehub.testing.Pom;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The real process's command line: what it does not understand it refuses, rather than starting on the defaults. */
class CommandLineIT {
    private static final String USAGE = "usage: java -jar wirehub.jar [--config FILE] [--help] [--version]";

    @Test
    void aMistypedOptionIsRefusedWithTheUsage() throws Exception {
        Ended ended = run("--confg", "config/production.yaml");
        assertEquals(2, ended.exitCode(), ended.err());
        assertEquals(
                List.of("wirehub: unknown option '--confg'", USAGE),
                ended.err().lines().toList());
        assertEquals("", ended.out(), "nothing started");
    }

    @Test
    void aBarePathIsRefusedPointingAtConfig() throws Exception {
        Ended ended = run("config/production.yaml");
        assertEquals(2, ended.exitCode(), ended.err());
        assertEquals(
                List.of(
                        "wirehub: unexpected argument 'config/production.yaml' (a file is given with --config"
                                + " config/production.yaml)",
                        USAGE),
                ended.err().lines().toList());
    }

    @Test
    void configWithoutAFileIsRefused() throws Exception {
        Ended ended = run("--config");
        assertEquals(2, ended.exitCode(), ended.err());
        assertEquals(
                List.of("wirehub: --config needs a file", USAGE),
                ended.err().lines().toList());
    }

    @Test
    void helpPrintsTheUsageAndStartsNothing() throws Exception {
        Ended ended = run("--help");
        assertEquals(0, ended.exitCode(), ended.err());
        assertTrue(ended.out().startsWith(USAGE + "\n"), ended.out());
        assertTrue(ended.out().contains("--version"), ended.out());
        assertEquals("", ended.err(), "no server part started, so nothing logged");
    }

    @Test
    void versionPrintsThePomsVersion() throws Exception {
        Ended ended = run("--version");
        assertEquals(0, ended.exitCode(), ended.err());
        assertEquals("wirehub " + Pom.version() + "\n", ended.out());
    }

    private static Ended run(String... args) throws Exception {
        return MainProcess.run(List.of(args), Map.of());
    }
}
