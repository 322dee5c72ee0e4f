package io.wirehub.app;

import io.helidon.logging.common.LogConfig;
import io.wirehub.config.InvalidSettingsException;
import io.wirehub.config.Settings;
import io.wirehub.config.SettingsLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code java -jar wirehub.jar [--config FILE]}: read the command line and config, start, say where it listens, drain on SIGTERM. */
public final class Main {
    private static final Path DEFAULT_CONFIG = Path.of("config/application.yaml");
    private static final String HELP = """
              --config FILE  the YAML configuration (default: config/application.yaml when it exists,
                             else the built-in defaults); WH_* environment variables override it
              --help         this text
              --version      the version of this build
            Every key and variable: docs/configuration.md""";

    private Main() {}

    public static void main(String[] args) {
        CommandLine command;
        try {
            command = CommandLine.parse(args);
        } catch (CommandLine.UsageException e) {
            System.err.println("wirehub: " + e.getMessage());
            System.err.println(CommandLine.USAGE);
            System.exit(2);
            return;
        }
        switch (command) {
            case CommandLine.Help help -> System.out.println(CommandLine.USAGE + "\n" + HELP);
            case CommandLine.Version version -> System.out.println("wirehub " + BuildVersion.current());
            case CommandLine.Run run ->
                start(run.config().orElse(Files.exists(DEFAULT_CONFIG) ? DEFAULT_CONFIG : null));
        }
    }

    private static void start(Path config) {
        LogConfig.configureRuntime(); // Helidon's: logging.properties; the settings then go on top
        Settings settings;
        try {
            settings = SettingsLoader.load(config, System.getenv());
        } catch (InvalidSettingsException e) {
            refuse(e, Console.PLAIN);
            return;
        }
        Logging.apply(settings.log());
        Console console = Console.of(settings.log());
        SettingsLoader.warnAboutUnknownVariables(System.getenv());
        WireHub wireHub;
        try {
            wireHub = WireHub.start(settings);
        } catch (InvalidSettingsException e) { // e.g. a key file that is not a key
            refuse(e, console);
            return;
        } catch (RuntimeException e) {
            console.fail(Main.class, "wirehub: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("drain").unstarted(wireHub::close));
        DrainOnSigterm.install(wireHub, console);
        console.say(
                Main.class,
                "wirehub listening on " + (settings.server().tls().enabled() ? "https" : "http") + "://"
                        + settings.server().host() + ":" + wireHub.port() + " (version: " + BuildVersion.current()
                        + ", store: " + settings.store().type() + ", bus: "
                        + settings.bus().type() + ", auth: " + settings.auth().mode() + ")");
    }

    private static void refuse(InvalidSettingsException e, Console console) {
        console.fail(
                Main.class,
                "wirehub: refusing to start, the configuration has "
                        + e.problems().size() + " problem(s):");
        e.problems().forEach(problem -> console.fail(Main.class, "  " + problem));
        System.exit(2);
    }
}
