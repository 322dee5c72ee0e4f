package io.wirehub.perf;

import io.wirehub.event.Event;
import io.wirehub.event.Reset;
import io.wirehub.event.SseFrames;
import io.wirehub.event.WsFrames;
import io.wirehub.hub.CloseReason;
import io.wirehub.hub.SubscriberSink;
import io.wirehub.hub.Transport;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntConsumer;

/**
 * A sink with no socket: it builds the bytes the transport would write for each event (SSE: the
 * id line and the shared body, as SseSink does; WebSocket: the whole frame, written into a reused
 * buffer as WsSink does) and drops them. What it keeps is the last frame,
 * only so that the JIT cannot skip building it.
 */
final class DiscardingSink implements SubscriberSink {
    private final Transport transport;
    private final String epoch;
    private final CountDownLatch opened;
    private final IntConsumer flushed;
    private int unflushed;
    byte[] last;

    DiscardingSink(Transport transport, String epoch, CountDownLatch opened, IntConsumer flushed) {
        this.transport = transport;
        this.epoch = epoch;
        this.opened = opened;
        this.flushed = flushed;
    }

    @Override
    public void open(Map<String, Long> positions, String cursorToken) {
        opened.countDown();
    }

    @Override
    public void topicChanged(String topic, boolean follows, long seq, String cursorToken) {}

    @Override
    public int event(Event event, CharSequence cursorToken) {
        unflushed++;
        if (transport == Transport.WS) {
            int payload = WsFrames.eventPayloadLength(event, epoch, cursorToken);
            int length = WsFrames.headerLength(payload) + payload;
            if (last == null || last.length < length) {
                last = new byte[length]; // grows to the largest frame, then reused, as WsSink's write buffer is
            }
            return WsFrames.writeEvent(last, 0, event, epoch, cursorToken);
        }
        int idLength = SseFrames.idLineLength(epoch, cursorToken);
        if (last == null || last.length < idLength) {
            last = new byte[idLength + 16]; // reused, as SseSink's id line is
        }
        SseFrames.writeIdLine(last, epoch, cursorToken);
        return idLength + event.sseBody().length;
    }

    @Override
    public int reset(Reset reset, String cursorToken) {
        throw new IllegalStateException("a reset on the live path: " + reset.json());
    }

    @Override
    public boolean heartbeat() {
        return false;
    }

    @Override
    public void flush() {
        if (unflushed > 0) {
            flushed.accept(unflushed);
            unflushed = 0;
        }
    }

    @Override
    public void finish(CloseReason reason, long retryMillis) {}
}
