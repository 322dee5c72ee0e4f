package io.wirehub.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * This build's version: the pom's {@code <version>}, which is the release's (CHANGELOG.md has an
 * entry for each). {@code --version}, the start line, {@code /health} and
 * {@code wirehub_build_info} all show this one value.
 */
final class BuildVersion {
    private BuildVersion() {}

    /** The jar manifest's Implementation-Version, else (classes run from a directory) the filtered resource's. */
    static String current() {
        String fromManifest = BuildVersion.class.getPackage().getImplementationVersion();
        if (fromManifest != null) {
            return fromManifest;
        }
        try (InputStream in = BuildVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
