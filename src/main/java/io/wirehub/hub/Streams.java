package io.wirehub.hub;

import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The streams of this instance, as the ticker, the operators' views and shutdown find them: the
 * live ones (joined the hub, not closed) and the closed ones whose drain loop is writing its final
 * frame, whose write deadline the ticker still keeps. A stream enters and leaves each set on its
 * own state's transitions ({@link StreamState}): live from its positioning to its close, finishing
 * from the start of its final write to FINISHED.
 */
final class Streams {
    private final Set<Subscriber> live = ConcurrentHashMap.newKeySet();
    private final Set<Subscriber> finishing = ConcurrentHashMap.newKeySet();
    private final Collection<Subscriber> liveView = Collections.unmodifiableSet(live);
    private final Collection<Subscriber> finishingView = Collections.unmodifiableSet(finishing);
    private volatile CloseReason closingAll; // set once by closeAll

    /**
     * A stream joins (it is being positioned). Closed at once when shutdown began: a stream admitted
     * just before the drain must not outlive it. A stream closed before it was added (its close
     * found nothing here to remove) is removed again by the caller, which checks after this.
     */
    void add(Subscriber subscriber) {
        live.add(subscriber);
        CloseReason closing = closingAll; // read after the add: closeAll either sees this one or we see it
        if (closing != null) {
            subscriber.close(closing);
        }
    }

    void remove(Subscriber subscriber) {
        live.remove(subscriber);
    }

    /** A closed stream's drain loop begins its final write. */
    void finishing(Subscriber subscriber) {
        finishing.add(subscriber);
    }

    /** Its final write ended, whichever way. */
    void finished(Subscriber subscriber) {
        finishing.remove(subscriber);
    }

    /** Closes every live stream (server shutdown), and every one that joins from now on. */
    void closeAll(CloseReason reason) {
        closingAll = reason;
        live.forEach(subscriber -> subscriber.close(reason));
    }

    Collection<Subscriber> live() {
        return liveView;
    }

    Collection<Subscriber> finishing() {
        return finishingView;
    }
}
