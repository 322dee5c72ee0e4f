package io.wirehub.app;

import io.helidon.logging.common.LogConfig;
import io.wirehub.config.InvalidSettingsException;
import io.wirehub.config.Settings;
import io.wirehub.config.SettingsLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code java -jar wirehub.jar [--config FILE]}: read config, start, say where it listens, drain on SIGTERM. */
public final class Main {
    private static final Path DEFAULT_CONFIG = Path.of("config/application.yaml");

    private Main() {}

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        Path config = configPath(args);
        Settings settings;
        try {
            settings = SettingsLoader.load(config, System.getenv());
        } catch (InvalidSettingsException e) {
            refuse(e);
            return;
        }
        WireHub wireHub;
        try {
            wireHub = WireHub.start(settings);
        } catch (InvalidSettingsException e) { // e.g. a key file that is not a key
            refuse(e);
            return;
        } catch (RuntimeException e) {
            System.err.println("wirehub: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("drain").unstarted(wireHub::close));
        System.out.println("wirehub listening on http://" + settings.server().host() + ":" + wireHub.port()
                + " (store: " + settings.store().type() + ", bus: " + settings.bus().type() + ", auth: " + settings.auth().mode() + ")");
    }

    private static void refuse(InvalidSettingsException e) {
        System.err.println("wirehub: refusing to start, the configuration has " + e.problems().size() + " problem(s):");
        e.problems().forEach(problem -> System.err.println("  " + problem));
        System.exit(2);
    }

    private static Path configPath(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--config=")) {
                return Path.of(args[i].substring("--config=".length()));
            }
        }
        return Files.exists(DEFAULT_CONFIG) ? DEFAULT_CONFIG : null;
    }
}
