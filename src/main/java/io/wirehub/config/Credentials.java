package io.wirehub.config;

import java.util.regex.Pattern;

/**
 * Masks the secrets a connection URL may carry, so settings can be printed (a log line, a
 * debugger, an exception message) without them: the password of {@code user:password@} and the
 * value of any query parameter whose name holds "password" ({@code password=},
 * {@code sslpassword=}). The rest stays readable, to tell which server is meant.
 */
final class Credentials {
    static final String MASK = "****";
    private static final Pattern USER_INFO_PASSWORD = Pattern.compile("(://[^/@:?#]*):[^/@?#]*@");
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)([?&;][^=&;#]*password[^=&;#]*=)[^&;#]*");

    private Credentials() {}

    static String masked(String url) {
        if (url == null) {
            return null;
        }
        String masked = USER_INFO_PASSWORD.matcher(url).replaceFirst("$1:" + MASK + "@");
        return PASSWORD_PARAMETER.matcher(masked).replaceAll("$1" + MASK);
    }
}
