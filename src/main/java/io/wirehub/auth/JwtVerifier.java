package io.wirehub.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.wirehub.config.Settings;
import io.wirehub.schedule.Scheduler;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Verifies a JWT with nimbus-jose-jwt and reads its wirehub claims into a {@link Grant}: the
 * signature with the configured keys and only their algorithms ({@link JwtKeys}), {@code exp}
 * (required) and {@code nbf} with {@code auth.jwt.clock_skew}, and {@code iss}/{@code aud} when
 * configured. Keys from a file follow the file ({@link KeyFileWatch}): each token is checked
 * against the keys in force when it arrives. Thread-safe: the processor holds no per-call state.
 */
final class JwtVerifier implements AutoCloseable {
    // NOTE: the claim names are public API: token issuers write them.
    static final String SUBSCRIBE = "wirehub.subscribe";
    static final String PUBLISH = "wirehub.publish";
    static final String ADMIN = "wirehub.admin";
    // A token is a header value or a query parameter: anything longer is not one of ours.
    static final int MAX_TOKEN_CHARS = 8192;

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final java.time.Duration clockSkew;
    private final KeyFileWatch watch; // null: keys are secrets, fixed until a restart
    private volatile JwtKeys keys;

    JwtVerifier(Settings.Auth auth, Scheduler scheduler) {
        this.clockSkew = auth.clockSkew();
        if (auth.jwtSecret().isEmpty()) {
            this.watch = KeyFileWatch.start(
                    auth, changed -> keys = changed, scheduler); // sets the first keys before it returns
        } else {
            this.keys = JwtKeys.secrets(auth);
            this.watch = null;
        }
        processor.setJWSKeySelector((header, context) -> keys.candidates(header));
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        if (!auth.issuer().isEmpty()) {
            exact.issuer(auth.issuer());
        }
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                auth.audience().isEmpty() ? null : Set.of(auth.audience()), exact.build(), Set.of("exp"), null);
        claims.setMaxClockSkew((int) auth.clockSkew().toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    Grant verify(String token) {
        if (token.length() > MAX_TOKEN_CHARS) {
            throw AuthException.unauthorized("the token is longer than " + MAX_TOKEN_CHARS + " characters");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            throw AuthException.unauthorized("the token is not a signed JWT (header.payload.signature)");
        } catch (BadJWTException e) {
            // nimbus says which check failed ("Expired JWT", "JWT missing required claims: [exp]"); no secret in it
            throw AuthException.unauthorized("the token was refused: " + e.getMessage() + "; get a fresh token");
        } catch (BadJOSEException | JOSEException e) {
            throw AuthException.unauthorized(
                    "the token's signature does not verify with this server's keys, or its algorithm"
                            + " is not accepted (accepted: "
                            + String.join(
                                    ", ",
                                    new TreeSet<>(keys.algorithms().stream()
                                            .map(Object::toString)
                                            .toList()))
                            + ")");
        }
        String subject = claims.getSubject();
        return new Grant(
                subject,
                patterns(claims, SUBSCRIBE, subject),
                patterns(claims, PUBLISH, subject),
                Boolean.TRUE.equals(claims.getClaim(ADMIN)),
                claims.getExpirationTime().toInstant().plus(clockSkew));
    }

    @Override
    public void close() {
        if (watch != null) {
            watch.close();
        }
    }

    /** A claim of topic patterns: a list of strings, or one string; absent means none. */
    private static List<TopicPattern> patterns(JWTClaimsSet claims, String name, String subject) {
        Object value = claims.getClaim(name);
        List<TopicPattern> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        if (value instanceof String one) {
            out.add(TopicPattern.compile(one, subject));
            return out;
        }
        if (value instanceof List<?> list) {
            for (Object item : list) {
                if (!(item instanceof String pattern)) {
                    throw malformed(name);
                }
                out.add(TopicPattern.compile(pattern, subject));
            }
            return out;
        }
        throw malformed(name);
    }

    private static AuthException malformed(String claim) {
        return AuthException.unauthorized(
                "the token's " + claim + " claim must be a list of topic patterns, like [\"prices.*\"]");
    }
}
