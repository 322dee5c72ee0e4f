package io.wirehub.hub;

import io.wirehub.event.Event;
import io.wirehub.event.Reset;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A sink that records what the drain loop writes; its writes can block like a stalled socket or fail like a broken pipe. */
final class RecordingSink implements SubscriberSink {
    final boolean expectsAck;
    final BlockingQueue<Long> seqs = new LinkedBlockingQueue<>();
    final BlockingQueue<Reset> resets = new LinkedBlockingQueue<>();
    final BlockingQueue<String> topicChanges = new LinkedBlockingQueue<>();
    final CountDownLatch opened = new CountDownLatch(1);
    final CountDownLatch heartbeats = new CountDownLatch(1);
    final CountDownLatch writeStarted = new CountDownLatch(1);
    final CountDownLatch flushed = new CountDownLatch(1);
    final CountDownLatch finished = new CountDownLatch(1);
    final CountDownLatch finishStarted = new CountDownLatch(1);
    final AtomicInteger finishes = new AtomicInteger();
    volatile boolean blockWrites;
    volatile boolean failWrites;
    volatile boolean blockFinish;
    // Set: the final write lasts until the test opens this gate (a slow client), or an interrupt cuts it.
    volatile CountDownLatch finishGate;
    volatile boolean finishCut; // an interrupt reached the final write: a socket would have lost it
    volatile CloseReason finishReason;

    RecordingSink(boolean expectsAck) {
        this.expectsAck = expectsAck;
    }

    @Override
    public void open(Map<String, Long> positions, String cursorToken) {
        opened.countDown();
    }

    @Override
    public void topicChanged(String topic, boolean follows, long seq, String cursorToken) {
        topicChanges.add((follows ? "+" : "-") + topic + "@" + seq);
    }

    @Override
    public int event(Event event, CharSequence cursorToken) throws IOException {
        writeStarted.countDown();
        if (failWrites) {
            throw new IOException("Broken pipe");
        }
        if (blockWrites) {
            try {
                new CountDownLatch(1).await(); // until interrupted, as a socket write on a full buffer
            } catch (InterruptedException e) {
                throw new IOException("Closed by interrupt");
            }
        }
        seqs.add(event.seq());
        return event.data().length();
    }

    @Override
    public int reset(Reset reset, String cursorToken) {
        resets.add(reset);
        return 0;
    }

    @Override
    public boolean heartbeat() {
        heartbeats.countDown();
        return expectsAck;
    }

    @Override
    public void flush() {
        flushed.countDown();
    }

    @Override
    public void finish(CloseReason reason, long retryMillis) {
        finishReason = reason;
        finishes.incrementAndGet();
        finishStarted.countDown();
        // blockFinish: until interrupted, as a socket write on a full buffer; finishGate: until the test opens it.
        CountDownLatch gate = blockFinish ? new CountDownLatch(1) : finishGate;
        if (gate != null) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                finishCut = true; // cut off: the socket would be closed now
            }
        }
        if (Thread.currentThread().isInterrupted()) {
            finishCut = true; // the write would fail at once
        }
        finished.countDown();
    }

    List<Long> take(int count) throws InterruptedException {
        List<Long> out = new ArrayList<>();
        while (out.size() < count) {
            Long seq = seqs.poll(5, TimeUnit.SECONDS);
            if (seq == null) {
                throw new AssertionError("got only " + out);
            }
            out.add(seq);
        }
        return out;
    }

    List<Long> drainQuietly() throws InterruptedException {
        List<Long> out = new ArrayList<>();
        Long seq;
        while ((seq = seqs.poll(100, TimeUnit.MILLISECONDS)) != null) {
            out.add(seq);
        }
        return out;
    }
}
