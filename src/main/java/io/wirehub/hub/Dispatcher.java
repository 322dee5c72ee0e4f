package io.wirehub.hub;

import io.wirehub.event.Event;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Hands this instance's own committed events to the topics' streams: an event of a topic with
 * many streams here goes through one platform thread, in the order given; the others are
 * dispatched on the publishing thread, at once. The bus plays no part: it carries events to the
 * other instances only, and theirs arrive through {@link Hub#onEvent} on the bus's thread.
 *
 * <p>Why not fan out wide on the publishing thread: it is a virtual thread, and offering an event
 * to thousands of subscriber queues contends on their locks now and then. Each time it parks
 * there, it goes to the back of the scheduler's queue, behind the thousands of drain threads it
 * has just woken. At 10 events/s to 10,000 SSE streams that made a publish take 96 ms (median)
 * and put the delivery p99 at 830 ms; dispatched from this thread, 33 ms and 390 ms
 * (ARCHITECTURE.md, "The path of one event"). A platform thread that waits on a lock
 * is woken by the OS at once, beside the carriers. Why not every event: the hop costs a thread
 * wake-up per publish, which cut WebSocket deliveries at 10 subscribers by a fifth.
 *
 * <p>Bounded by work, not by events: each queued event counts as its topic's streams in
 * {@link FanOutWork}, which the publishers' admission keeps under its bound before anything is
 * stored ({@link io.wirehub.publish.Publisher}). So the queue itself needs no capacity and never makes a committed
 * event wait. A topic with events in the queue keeps using it until they are out, so a topic
 * whose stream count crosses the threshold never has an event overtake an earlier one here.
 * Nothing queued is lost on {@link #close}: the thread delivers it first.
 */
final class Dispatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());

    /**
     * More streams than this on a topic, and a publishing virtual thread hands its events over.
     * Measured at saturation (perf/results/README.md, "Where a wide fan-out is handed over"): at 16 streams dispatching on the request's
     * thread delivered more, at 32 the two tied, at 64 the hand-off did.
     */
    static final int WIDE_FAN_OUT = 32;

    private record Handed(TopicChannel channel, Event event, int streams) {}

    private static final Handed END = new Handed(null, null, 0); // queued by close(): nothing follows

    private final Hub hub;
    private final FanOutWork work;
    private final LinkedBlockingQueue<Handed> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;

    // Started with the hub, as the thread's count belongs to the instance's baseline (leak tests
    // count threads): it parks until the first wide fan-out.
    Dispatcher(Hub hub, FanOutWork work) {
        this.hub = hub;
        this.work = work;
        this.thread = Thread.ofPlatform().daemon().name("wirehub-dispatch").start(this::run);
    }

    /** Hands committed local events to their streams, in the order given; never waits for room. */
    void dispatch(List<Event> events) {
        for (Event event : events) {
            TopicChannel channel = hub.channel(event.topic());
            if (channel == null) {
                continue; // nobody here follows the topic
            }
            int streams = channel.subscribers.size();
            if (channel.handedOver.get() == 0 && (streams <= WIDE_FAN_OUT || closed)) {
                hub.dispatch(channel, event, true);
            } else {
                channel.handedOver.incrementAndGet();
                work.added(streams); // the queued event's work, until the thread has offered it
                queue.add(new Handed(channel, event, streams));
            }
        }
    }

    /** Delivers what is queued, then stops the thread. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true; // from here narrow and wide events alike are dispatched by their publisher
        queue.add(END); // no interrupt: it could land inside the hub's work on an event
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @SuppressWarnings("ReferenceEquality") // END is a sentinel instance
    private void run() {
        while (true) {
            Handed handed;
            try {
                handed = queue.take();
            } catch (InterruptedException e) {
                continue; // nobody interrupts it; only close() ends it
            }
            if (handed == END) {
                return; // everything queued before the close went out first
            }
            try {
                hub.dispatch(handed.channel(), handed.event(), true);
            } catch (RuntimeException e) {
                // The event is stored: subscribers find it with the topic's next event, or on reconnect.
                LOG.log(
                        System.Logger.Level.ERROR,
                        "could not dispatch event " + handed.event().topic() + "/"
                                + handed.event().seq(),
                        e);
            } finally {
                handed.channel().handedOver.decrementAndGet();
                work.taken(handed.streams());
            }
        }
    }
}
