package io.wirehub.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code server.max_streams_per_subject} and {@code server.max_streams_per_address}: how many
 * streams (SSE and WebSocket together) one token subject, or one client address, may hold at
 * once, so that one low-privilege token or one host cannot take every place of
 * {@code server.max_connections} from everyone else. Past either: {@code 429 too_many_streams},
 * naming the limit. Streams without a subject (auth none, a token without {@code sub}) are only
 * bounded by address. 0 turns a bound off.
 *
 * <p>Memory: one counter per subject and per address that holds a stream now; a counter leaves
 * with its last stream.
 */
public final class StreamQuota {
    // NOTE: clients branch on this code.
    static final String TOO_MANY_STREAMS = "too_many_streams";

    private final int maxPerSubject;
    private final int maxPerAddress;
    private final Map<String, Integer> bySubject = new ConcurrentHashMap<>();
    private final Map<String, Integer> byAddress = new ConcurrentHashMap<>();
    private final LongAdder refusedBySubject = new LongAdder();
    private final LongAdder refusedByAddress = new LongAdder();

    public StreamQuota(int maxPerSubject, int maxPerAddress) {
        this.maxPerSubject = maxPerSubject;
        this.maxPerAddress = maxPerAddress;
    }

    /** One stream's place, given back once by {@link Permit#close()}. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Takes a place for a stream of {@code subject} (null: none) from {@code address}, or refuses.
     *
     * @throws ApiError 429 too_many_streams, naming the limit and how to raise it
     */
    public Permit acquire(String subject, String address) {
        boolean subjectTaken = subject != null && maxPerSubject > 0;
        if (subjectTaken && !take(bySubject, subject, maxPerSubject)) {
            refusedBySubject.increment();
            throw refusal("this token's subject holds its maximum of " + maxPerSubject
                    + " streams (server.max_streams_per_subject)");
        }
        boolean addressTaken = address != null && maxPerAddress > 0;
        if (addressTaken && !take(byAddress, address, maxPerAddress)) {
            if (subjectTaken) {
                give(bySubject, subject);
            }
            refusedByAddress.increment();
            throw refusal("this client address holds its maximum of " + maxPerAddress
                    + " streams (server.max_streams_per_address)");
        }
        return new Permit() {
            private final AtomicBoolean closed = new AtomicBoolean();

            @Override
            public void close() {
                if (!closed.getAndSet(true)) {
                    if (subjectTaken) {
                        give(bySubject, subject);
                    }
                    if (addressTaken) {
                        give(byAddress, address);
                    }
                }
            }
        };
    }

    /** Refuses, as {@link #acquire} would, without taking a place (the answer to a refused WebSocket upgrade). */
    public void check(String subject, String address) {
        if (subject != null && maxPerSubject > 0 && bySubject.getOrDefault(subject, 0) >= maxPerSubject) {
            throw refusal("this token's subject holds its maximum of " + maxPerSubject
                    + " streams (server.max_streams_per_subject)");
        }
        if (address != null && maxPerAddress > 0 && byAddress.getOrDefault(address, 0) >= maxPerAddress) {
            throw refusal("this client address holds its maximum of " + maxPerAddress
                    + " streams (server.max_streams_per_address)");
        }
    }

    public long refusedBySubject() {
        return refusedBySubject.sum();
    }

    public long refusedByAddress() {
        return refusedByAddress.sum();
    }

    private static boolean take(Map<String, Integer> counts, String key, int max) {
        boolean[] taken = {false};
        counts.compute(key, (k, n) -> {
            int held = n == null ? 0 : n;
            if (held >= max) {
                return n;
            }
            taken[0] = true;
            return held + 1;
        });
        return taken[0];
    }

    private static void give(Map<String, Integer> counts, String key) {
        counts.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }

    private static ApiError refusal(String why) {
        return new ApiError(
                429, TOO_MANY_STREAMS, why + "; close one of them first, or ask the operator to raise the limit");
    }
}
