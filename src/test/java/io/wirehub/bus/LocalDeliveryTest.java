package io.wirehub.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.event.Event;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LocalDeliveryTest {

    @Test
    void handsEachPublishersEventsInOrderFromOnePlatformThread() throws Exception {
        Recording hub = new Recording();
        int publishers = 8;
        int perPublisher = 500;
        try (LocalDelivery delivery = new LocalDelivery(hub)) {
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                String topic = "t" + p;
                threads.add(Thread.ofVirtual().start(() -> {
                    for (int seq = 1; seq <= perPublisher; seq++) {
                        delivery.deliver(List.of(event(topic, seq)));
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }
        } // close(): everything queued reaches the hub first
        assertEquals(publishers * perPublisher, hub.events.size());
        Map<String, Long> last = new ConcurrentHashMap<>();
        for (Event event : hub.events) {
            long previous = last.getOrDefault(event.topic(), 0L);
            assertEquals(previous + 1, event.seq(), "topic " + event.topic() + " out of order");
            last.put(event.topic(), event.seq());
        }
        assertEquals(1, hub.threads.size(), "one thread hands every event: " + hub.threads);
        Thread thread = hub.threads.iterator().next();
        assertFalse(thread.isVirtual());
        assertEquals("wirehub-local-delivery", thread.getName());
    }

    @Test
    void aNarrowTopicIsDispatchedOnThePublishingThreadBeforeDeliverReturns() throws Exception {
        Recording hub = new Recording();
        hub.wide = false;
        try (LocalDelivery delivery = new LocalDelivery(hub)) {
            AtomicInteger seenOnReturn = new AtomicInteger(-1);
            Thread publisher = Thread.ofVirtual().start(() -> {
                delivery.deliver(List.of(event("a", 1), event("a", 2)));
                seenOnReturn.set(hub.events.size());
            });
            publisher.join();
            assertEquals(2, seenOnReturn.get(), "dispatched before deliver returned");
            assertEquals(List.of(publisher), List.copyOf(hub.threads));
        }
    }

    @Test
    void closeDeliversWhatIsStillQueued() throws Exception {
        Recording hub = new Recording();
        CountDownLatch release = new CountDownLatch(1);
        hub.gate = release; // the thread holds the first event until released: the rest stay queued
        LocalDelivery delivery = new LocalDelivery(hub);
        List<Event> events = new ArrayList<>();
        for (int seq = 1; seq <= 300; seq++) {
            events.add(event("a", seq));
        }
        delivery.deliver(events);
        assertTrue(hub.entered.await(5, TimeUnit.SECONDS));
        Thread closer = Thread.ofVirtual().start(delivery::close);
        awaitWaiting(closer); // close() was called with all 300 still to deliver
        assertEquals(0, hub.events.size());
        release.countDown();
        closer.join(10_000);
        assertFalse(closer.isAlive(), "close() returns once the queue is delivered");
        assertEquals(300, hub.events.size());
        assertEquals(300, hub.events.getLast().seq());
    }

    @Test
    void aFailingHandOffDoesNotStopTheNextEvents() {
        Recording hub = new Recording();
        hub.failOnSeq = 2;
        try (LocalDelivery delivery = new LocalDelivery(hub)) {
            delivery.deliver(List.of(event("a", 1), event("a", 2), event("a", 3)));
        }
        assertEquals(List.of(1L, 3L), hub.events.stream().map(Event::seq).toList());
    }

    @Test
    void aFullQueueMakesThePublisherWait() throws Exception {
        Recording hub = new Recording();
        CountDownLatch release = new CountDownLatch(1);
        hub.gate = release;
        try (LocalDelivery delivery = new LocalDelivery(hub)) {
            delivery.deliver(List.of(event("a", 1))); // taken by the thread, which then waits at the gate
            assertTrue(hub.entered.await(5, TimeUnit.SECONDS));
            List<Event> fill = new ArrayList<>();
            for (int seq = 2; seq <= LocalDelivery.CAPACITY + 1; seq++) {
                fill.add(event("a", seq));
            }
            delivery.deliver(fill); // exactly fills the queue
            Thread publisher = Thread.ofVirtual().start(() -> delivery.deliver(List.of(event("a", LocalDelivery.CAPACITY + 2))));
            awaitWaiting(publisher);
            assertTrue(publisher.isAlive(), "a publish into a full queue waits");
            assertEquals(0, hub.events.size());
            release.countDown();
            publisher.join(10_000);
            assertFalse(publisher.isAlive(), "it goes on once the hub takes events again");
        }
        assertEquals(LocalDelivery.CAPACITY + 2, hub.events.size());
    }

    /** Waits (up to 5 s) until the thread is blocked: parked on a lock, a queue or a join. */
    private static void awaitWaiting(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (thread.getState() != Thread.State.WAITING && thread.getState() != Thread.State.TIMED_WAITING) {
            assertTrue(thread.isAlive() && System.nanoTime() < deadline, thread + " did not block: " + thread.getState());
            Thread.onSpinWait();
        }
    }

    private static Event event(String topic, long seq) {
        return new Event(topic, seq, null, "x", false, 0);
    }

    private static final class Recording implements BusListener {
        final List<Event> events = new CopyOnWriteArrayList<>();
        final Collection<Thread> threads = ConcurrentHashMap.newKeySet();
        final CountDownLatch entered = new CountDownLatch(1);
        volatile long failOnSeq = -1;
        volatile CountDownLatch gate;
        volatile boolean wide = true;

        @Override
        public boolean fansOutWide(String topic) {
            return wide;
        }

        @Override
        public void onEvent(Event event) {
            threads.add(Thread.currentThread());
            entered.countDown();
            try {
                CountDownLatch waitFor = gate;
                if (waitFor != null) {
                    waitFor.await();
                }
            } catch (InterruptedException e) {
                throw new AssertionError("the hand-off thread was interrupted mid-event", e);
            }
            if (event.seq() == failOnSeq) {
                throw new IllegalStateException("refused on purpose");
            }
            events.add(event);
        }

        @Override
        public void reconnected() {
        }

        @Override
        public void resubscribed(Collection<String> topics) {
        }
    }
}
