package io.wirehub.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test that puts the machine under load (thousands of connections, storms, floods of events) or
 * whose outcome depends on how busy the machine is (deadlines to meet, counts back at a baseline).
 * {@code mvn verify -DexcludedGroups=load} leaves them out on a shared machine; make test runs them.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("load")
public @interface Load {}
