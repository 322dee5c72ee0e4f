package io.wirehub.app;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * SIGTERM (a supervisor's or Kubernetes' stop) takes the instance out of the load balancer, drains
 * it, says so, and exits 0 when the drain is done: the JVM's own handling would run the drain from
 * the shutdown hook, silently, and exit 143, which a supervisor reads as a failure. Other ways out
 * (SIGINT, System.exit) drain at once through the shutdown hook, with no delay: Ctrl-C at a
 * terminal has no load balancer to wait for. {@link WireHub#close} runs once whichever comes first.
 *
 * <p>First, for {@code server.shutdown_delay}, {@code /health} answers 503 while publishes and new
 * streams are still served: a balancer keeps sending clients until its probes have failed (and
 * Kubernetes until its proxies heard the pod is going), and those clients must not meet a closed
 * port. A second SIGTERM cuts the delay short and drains at once.
 *
 * <p>The drain runs on a thread that is not a daemon (a thread started from the signal's daemon
 * thread would be one by default): once the server stops, nothing else keeps the JVM alive, and it
 * would end with status 0 before saying the drain finished, or with a drain cut short.
 *
 * <p>{@link TermSignal} reaches {@code sun.misc.Signal}, the JDK's supported-but-unexported way to
 * handle a signal (module jdk.unsupported); without it there is no way to choose the exit status of a
 * SIGTERM.
 */
final class DrainOnSigterm {
    private DrainOnSigterm() {}

    static void install(WireHub wireHub, Console console) {
        AtomicBoolean received = new AtomicBoolean();
        CountDownLatch again = new CountDownLatch(1);
        TermSignal.handle(() -> {
            if (received.getAndSet(true)) {
                again.countDown(); // the second SIGTERM: no more waiting
                return;
            }
            Thread.ofPlatform().daemon(false).name("drain-sigterm").start(() -> {
                leaveTheLoadBalancer(wireHub, again, console);
                drain(wireHub, console);
            });
        });
    }

    private static void leaveTheLoadBalancer(WireHub wireHub, CountDownLatch again, Console console) {
        Duration delay = wireHub.settings().server().shutdownDelay();
        if (delay.isZero()) {
            return;
        }
        wireHub.announceShutdown();
        console.say(
                DrainOnSigterm.class,
                "wirehub: SIGTERM: /health answers 503 for " + delay.toMillis() + " ms (server.shutdown_delay) while"
                        + " publishes and streams are still served; then the drain (a second SIGTERM drains at once)");
        try {
            if (again.await(delay.toNanos(), TimeUnit.NANOSECONDS)) {
                console.say(DrainOnSigterm.class, "wirehub: second SIGTERM: the delay is cut short");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // drain now
        }
    }

    private static void drain(WireHub wireHub, Console console) {
        int streams = wireHub.hub().stats().subscribers();
        long started = System.nanoTime();
        console.say(
                DrainOnSigterm.class,
                "wirehub: SIGTERM: draining (" + streams + " stream(s) open; publishes and new streams get 503)");
        wireHub.close();
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        int left = wireHub.hub().stats().drainLoops();
        console.say(
                DrainOnSigterm.class,
                "wirehub: drained in " + tookMillis + " ms: " + (streams - left) + " stream(s) ended"
                        + (left > 0 ? ", " + left + " still writing at server.drain_timeout" : "") + "; exiting");
        System.exit(left > 0 ? 1 : 0);
    }
}
