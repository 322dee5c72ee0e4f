/**
 * The one scheduler of an instance's periodic work (the hub's ticker, Redis heartbeats, the
 * backlog re-send, retention, TLS and key-file checks): quick passes on one platform thread,
 * blocking runs on a virtual thread each, one shutdown path.
 *
 * <p>JDK only; every other package may use it.
 */
package io.wirehub.schedule;
