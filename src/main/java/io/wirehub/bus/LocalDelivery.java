package io.wirehub.bus;

import io.wirehub.event.Event;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Hands this instance's own committed events to the hub: an event of a topic with many streams
 * here goes through one platform thread, in the order given; the others are dispatched on the
 * publishing thread, at once.
 *
 * <p>Why not fan out wide on the publishing thread: it is a virtual thread, and offering an event
 * to thousands of subscriber queues contends on their locks now and then. Each time it parks
 * there, it goes to the back of the scheduler's queue, behind the thousands of drain threads it
 * has just woken. At 10 events/s to 10,000 SSE streams that made a publish take 96 ms (median)
 * and put the delivery p99 at 830 ms; dispatched from this thread, 33 ms and 390 ms
 * (docs/deployment.md, "How an event reaches the queues"). A platform thread that waits on a lock
 * is woken by the OS at once, beside the carriers. Events from Redis already arrive on one: the
 * Jedis subscriber thread. Why not every event: the hop costs a thread wake-up per publish, which
 * cut WebSocket deliveries at 10 subscribers by a fifth; a small fan-out never waits long.
 *
 * <p>Bounded: a full queue makes publishers wait, the back-pressure a dispatch on their own thread
 * gave them. Nothing queued is lost on {@link #close}: the thread delivers it first. Order per
 * topic holds across the two paths: the hub puts events back in seq order.
 */
public final class LocalDelivery implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LocalDelivery.class.getName());
    // About 0.3 s of the fastest publishing measured on 2 cores; a slot is a reference.
    static final int CAPACITY = 4096;
    private static final long CLOSE_CHECK_MILLIS = 100;

    private final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>(CAPACITY);
    private final BusListener listener;
    private final Thread thread;
    private volatile boolean closed;

    public LocalDelivery(BusListener listener) {
        this.listener = listener;
        this.thread = Thread.ofPlatform().daemon().name("wirehub-local-delivery").start(this::run);
    }

    /**
     * Hands committed events to the hub, wide ones through the queue; waits while the queue is
     * full. An interrupt does not drop them (they are acknowledged): it is kept for the caller.
     */
    public void deliver(List<Event> events) {
        boolean interrupted = false;
        for (Event event : events) {
            if (!listener.fansOutWide(event.topic())) {
                hand(event);
                continue;
            }
            while (true) {
                try {
                    queue.put(event);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Delivers what is queued, then stops the thread. Idempotent. */
    @Override
    public void close() {
        closed = true; // no interrupt: it could land inside the hub's work on an event
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (true) {
            Event event;
            try {
                event = queue.poll(CLOSE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                continue; // nobody interrupts it; only close() ends it
            }
            if (event != null) {
                hand(event);
            } else if (closed) {
                return; // closed, and nothing is left
            }
        }
    }

    private void hand(Event event) {
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            // The event is stored: subscribers find it with the topic's next event, or on reconnect.
            LOG.log(System.Logger.Level.ERROR, "could not hand event " + event.topic() + "/" + event.seq() + " to the hub", e);
        }
    }
}
