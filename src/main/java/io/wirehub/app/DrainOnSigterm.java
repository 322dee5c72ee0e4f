package io.wirehub.app;

import sun.misc.Signal;

/**
 * SIGTERM (a supervisor's or Kubernetes' stop) drains the instance, says so, and exits 0 when the
 * drain is done: the JVM's own handling would run the same drain from the shutdown hook, silently,
 * and exit 143, which a supervisor reads as a failure. Other ways out (SIGINT, System.exit) still
 * drain through the shutdown hook; {@link WireHub#close} runs once whichever comes first.
 *
 * <p>The drain runs on a thread that is not a daemon (a thread started from the signal's daemon
 * thread would be one by default): once the server stops, nothing else keeps the JVM alive, and it
 * would end with status 0 before saying the drain finished, or with a drain cut short.
 *
 * <p>{@code sun.misc.Signal} is the JDK's supported-but-unexported way to handle a signal
 * (module jdk.unsupported); without it there is no way to choose the exit status of a SIGTERM.
 */
final class DrainOnSigterm {
    private DrainOnSigterm() {}

    static void install(WireHub wireHub, Console console) {
        Signal.handle(new Signal("TERM"), signal -> Thread.ofPlatform().daemon(false).name("drain-sigterm").start(() -> {
            int streams = wireHub.hub().stats().subscribers();
            long started = System.nanoTime();
            console.say(DrainOnSigterm.class, "wirehub: SIGTERM: draining (" + streams + " stream(s) open; publishes and new streams get 503)");
            wireHub.close();
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            int left = wireHub.hub().stats().drainLoops();
            console.say(DrainOnSigterm.class, "wirehub: drained in " + tookMillis + " ms: " + (streams - left) + " stream(s) ended"
                    + (left > 0 ? ", " + left + " still writing at server.drain_timeout" : "") + "; exiting");
            System.exit(left > 0 ? 1 : 0);
        }));
    }
}
