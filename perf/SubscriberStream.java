import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * One subscriber's stream in the load client: its socket and its parser state (HTTP head, chunks,
 * SSE lines or WebSocket frames), read and written by its {@link SubscriberLoop} thread only.
 * {@code open} and {@code ended} are read by LoadGen after the loops have stopped.
 */
final class SubscriberStream {
    static final int HEAD = 0, BODY = 1;
    static final int WS_HEADER = 0, WS_PAYLOAD = 1;
    final int index, firstSlot;
    final int[] topicList;
    SocketChannel ch;
    boolean open, ended;
    int state = HEAD;
    boolean chunked;
    final ChunkedBody chunks = new ChunkedBody();
    /** Bytes of a line, frame or head that spans reads. */
    byte[] carry = new byte[256];

    int carryLen;
    int wsState = WS_HEADER;
    final byte[] wsHeader = new byte[14];
    int wsHeaderLen;
    int wsOpcode;
    long wsLeft, wsLen;
    int seenConns;

    SubscriberStream(int index, int firstSlot, int[] topicList) {
        this.index = index;
        this.firstSlot = firstSlot;
        this.topicList = topicList;
    }

    /** The slot of topic k among this subscriber's, or -1 if it does not follow k. */
    int slotOf(int k) {
        for (int j = 0; j < topicList.length; j++) {
            if (topicList[j] == k) {
                return firstSlot + j;
            }
        }
        return -1;
    }

    /** Keeps b[from, to) in the carry: a line, frame or head that spans reads. */
    void append(byte[] b, int from, int to) {
        int n = to - from;
        if (carryLen + n > carry.length) {
            carry = Arrays.copyOf(carry, Math.max(carry.length * 2, carryLen + n));
        }
        System.arraycopy(b, from, carry, carryLen, n);
        carryLen += n;
    }
}
