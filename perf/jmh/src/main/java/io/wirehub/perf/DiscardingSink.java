package io.wirehub.perf;

import io.wirehub.event.Cursor;
import io.wirehub.event.Event;
import io.wirehub.event.Reset;
import io.wirehub.hub.CloseReason;
import io.wirehub.hub.SubscriberSink;
import io.wirehub.hub.Transport;
import io.wirehub.transport.sse.SseFrames;
import io.wirehub.transport.ws.WsFrames;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntConsumer;

/**
 * A sink with no socket: it builds the bytes the transport would write for each event (SSE: the
 * id line and the shared body, as SseSink does; WebSocket: the JSON message, as WsSink does,
 * encoded to UTF-8 as the WebSocket layer must) and drops them. What it keeps is the last frame,
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
        String token = Cursor.stamped(epoch, cursorToken.toString());
        if (transport == Transport.WS) {
            last = WsFrames.message(event, token).getBytes(StandardCharsets.UTF_8);
            return last.length;
        }
        last = SseFrames.idLine(token);
        return last.length + event.encoded(SseFrames.BODY).length;
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
