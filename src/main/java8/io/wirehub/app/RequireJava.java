package io.wirehub.app;

import java.lang.reflect.InvocationTargetException;

/**
 * The jar's entry point, compiled for Java 8 so that any JVM can load it: on a JVM older than 21
 * it says, in one line, which Java wirehub needs, instead of an {@code UnsupportedClassVersionError}
 * about class file version 65 that names no Java at all. On 21 and newer it hands over to
 * {@link Main} (by name: this file is compiled apart, against nothing newer than Java 8).
 */
public final class RequireJava {
    // NOTE: virtual threads are final in Java 21; the pom compiles everything else for it.
    private static final int NEEDED = 21;

    private RequireJava() {}

    public static void main(String[] args) throws Throwable {
        String version = System.getProperty("java.specification.version", "0");
        int feature = feature(version);
        if (feature < NEEDED) {
            System.err.println("wirehub: needs Java " + NEEDED + " or newer; this is Java " + version + " ("
                    + System.getProperty("java.home") + "). Run bin/wirehub from the distribution (it finds a Java "
                    + NEEDED + "+), or set JAVA_HOME to a Java " + NEEDED + "+ and use its bin/java.");
            System.exit(1);
        }
        try {
            Class.forName("io.wirehub.app.Main").getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause(); // as if Main had been called directly
        }
    }

    /** "1.8" -> 8, "17" -> 17, "25" -> 25. */
    static int feature(String version) {
        String major = version.startsWith("1.") ? version.substring(2) : version;
        int end = 0;
        while (end < major.length() && Character.isDigit(major.charAt(end))) {
            end++;
        }
        return end == 0 ? 0 : Integer.parseInt(major.substring(0, end));
    }
}
