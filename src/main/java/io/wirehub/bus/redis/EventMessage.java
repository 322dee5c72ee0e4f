package io.wirehub.bus.redis;

import io.wirehub.event.Event;
import io.wirehub.event.Names;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * How one event travels on the Redis channel: a small binary, length-prefixed record.
 *
 * <pre>
 * version 1, integers big-endian:
 *   u8  version (1)
 *   i64 origin, high bits   i64 origin, low bits      the publishing instance
 *   u8  flags               1: data is JSON, 2: a type follows the topic
 *   i64 seq                 i64 timeMillis
 *   u16 topic length        topic, UTF-8
 *   [u16 type length        type, UTF-8]              only with flag 2
 *   i32 data length         data, UTF-8
 * </pre>
 *
 * <p>Why binary and not JSON: the data is usually a JSON document already, and wrapping it in JSON
 * would escape every quote in it and cost a parse per instance; here the data is copied once
 * each way whatever it contains. Why the origin comes first, at a fixed offset: every instance
 * receives its own publishes back and {@link #isFrom} drops them before anything is decoded.
 *
 * <p>Decoding trusts nothing (anyone with access to Redis can PUBLISH on the channel): every
 * length is checked against what is left, the text must be valid UTF-8, and a malformed message
 * raises {@link MalformedMessageException} rather than anything that could end the subscriber.
 */
final class EventMessage {
    // NOTE: bump the version on any change to the layout; an instance skips versions it does not
    // know, so a rolling upgrade degrades to backfill from the store, never to garbage.
    static final byte VERSION = 1;
    private static final int JSON = 1;
    private static final int HAS_TYPE = 2;
    private static final int HEADER = 1 + 16 + 1 + 8 + 8;

    private EventMessage() {}

    static byte[] encode(UUID origin, Event event) {
        byte[] topic = event.topic().getBytes(StandardCharsets.UTF_8);
        byte[] type = event.type() == null ? null : event.type().getBytes(StandardCharsets.UTF_8);
        byte[] data = event.data().getBytes(StandardCharsets.UTF_8);
        int size = HEADER + 2 + topic.length + (type == null ? 0 : 2 + type.length) + 4 + data.length;
        ByteBuffer out = ByteBuffer.allocate(size)
                .put(VERSION)
                .putLong(origin.getMostSignificantBits())
                .putLong(origin.getLeastSignificantBits())
                .put((byte) ((event.json() ? JSON : 0) | (type == null ? 0 : HAS_TYPE)))
                .putLong(event.seq())
                .putLong(event.timeMillis());
        putShortText(out, topic);
        if (type != null) {
            putShortText(out, type);
        }
        out.putInt(data.length).put(data);
        return out.array();
    }

    /** Whether the message was published by {@code origin}; cheap, decodes nothing else. */
    static boolean isFrom(byte[] message, UUID origin) {
        if (message.length < HEADER || message[0] != VERSION) {
            return false;
        }
        ByteBuffer in = ByteBuffer.wrap(message, 1, 16);
        return in.getLong() == origin.getMostSignificantBits() && in.getLong() == origin.getLeastSignificantBits();
    }

    static Event decode(byte[] message) {
        try {
            ByteBuffer in = ByteBuffer.wrap(message);
            byte version = in.get();
            if (version != VERSION) {
                throw new MalformedMessageException("unknown version " + version);
            }
            in.position(1 + 16); // the origin was checked by isFrom
            int flags = in.get();
            if ((flags & ~(JSON | HAS_TYPE)) != 0) {
                throw new MalformedMessageException("unknown flags " + flags);
            }
            long seq = in.getLong();
            long timeMillis = in.getLong();
            String topic = text(in, Short.toUnsignedInt(in.getShort()));
            String type = (flags & HAS_TYPE) != 0 ? text(in, Short.toUnsignedInt(in.getShort())) : null;
            String data = text(in, in.getInt());
            if (in.hasRemaining()) {
                throw new MalformedMessageException(in.remaining() + " bytes after the data");
            }
            // Names reach SSE lines and JSON unescaped: anything a publisher could not send over
            // HTTP is refused here too (a CR/LF in an event name would inject frames).
            if (!Names.isValidTopic(topic) || seq < 1) {
                throw new MalformedMessageException("invalid topic or seq " + seq);
            }
            if (type != null && !Names.isValidEventName(type)) {
                throw new MalformedMessageException("invalid event name");
            }
            if (data.indexOf('\u0000') >= 0) {
                throw new MalformedMessageException("NUL in the data");
            }
            return new Event(topic, seq, type, data, (flags & JSON) != 0, timeMillis);
        } catch (BufferUnderflowException e) {
            throw new MalformedMessageException("truncated (" + message.length + " bytes)");
        }
    }

    private static void putShortText(ByteBuffer out, byte[] text) {
        if (text.length > 0xFFFF) {
            // Names caps topics and types far below this; reaching it is a bug, not input.
            throw new IllegalArgumentException("name longer than 65535 bytes");
        }
        out.putShort((short) text.length).put(text);
    }

    private static String text(ByteBuffer in, int length) {
        if (length < 0 || length > in.remaining()) {
            throw new MalformedMessageException("length " + length + " with " + in.remaining() + " bytes left");
        }
        ByteBuffer slice = in.slice(in.position(), length);
        in.position(in.position() + length);
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().decode(slice);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new MalformedMessageException("text is not UTF-8");
        }
    }

    /** A message on the channel that is not a version-1 event; the subscriber logs and skips it. */
    static final class MalformedMessageException extends RuntimeException {
        MalformedMessageException(String message) {
            super(message, null, false, false);
        }
    }
}
