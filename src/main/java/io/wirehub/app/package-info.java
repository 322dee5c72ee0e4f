/**
 * The running instance: reads the config, builds and wires the parts, starts the web server, and
 * stops it in the order that loses nothing ({@link io.wirehub.app.WireHub}); {@link io.wirehub.app.Main}
 * is the command line around it. {@code WireHub.routing} lists every route.
 *
 * <p>May use every other package: it is the only place that knows them all. Nothing imports it
 * (tests start instances through it, wired exactly as in production).
 */
package io.wirehub.app;
