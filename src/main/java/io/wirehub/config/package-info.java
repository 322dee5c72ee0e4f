/**
 * The settings: {@code config/application.yaml} and {@code WH_*} overrides parsed once into
 * immutable records ({@link io.wirehub.config.Settings}), every violation collected and refused
 * at start with the key, the bad value and the accepted range. Every key is a
 * {@link io.wirehub.config.ConfigKey} and is documented in docs/configuration.md.
 *
 * <p>May use Helidon config only; every other package may use it.
 */
package io.wirehub.config;
