package io.wirehub.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What pom.xml says, read as a person would: the tests compare what the server shows with it. */
public final class Pom {
    private static final Pattern VERSION =
            Pattern.compile("<artifactId>wirehub</artifactId>\\s*<version>([^<]+)</version>");

    private Pom() {}

    /** The project's version: the release's. */
    public static String version() {
        try {
            Matcher matcher = VERSION.matcher(Files.readString(Path.of("pom.xml")));
            if (!matcher.find()) {
                throw new AssertionError("pom.xml names no version after <artifactId>wirehub</artifactId>");
            }
            return matcher.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
