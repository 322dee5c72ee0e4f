package io.wirehub.perf;

import io.wirehub.event.Event;
import io.wirehub.event.NewEvent;
import io.wirehub.hub.CloseReason;
import io.wirehub.hub.Hub;
import io.wirehub.hub.HubSettings;
import io.wirehub.hub.OverflowPolicy;
import io.wirehub.hub.Subscriber;
import io.wirehub.hub.Transport;
import io.wirehub.store.memory.MemoryEventStore;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The in-process pipeline, without sockets: the hub's dispatcher offers each event to every
 * subscriber's queue, and each subscriber's drain thread (a virtual thread, as in the server)
 * takes its batch and writes it to a {@link DiscardingSink}, which formats what the transport
 * would write and throws it away.
 *
 * <p>One operation is one event; an invocation publishes {@link #BATCH} events (stored first,
 * outside the timing, as the publisher does before it hands them to the hub) and returns once
 * every subscriber has flushed all of them. BATCH stays below the queue's 64 slots, so no queue
 * overflows and the figures are those of the live path (the teardown fails the run otherwise).
 * Deliveries/s = events/s × subscribers; {@link JmhRun} prints both, the CPU per delivery (the
 * process's CPU time inside the invocations: publishing thread, drain threads, GC; see
 * {@link CpuTime}) and the allocation per delivery from {@code -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PipelineBench {
    static final int BATCH = 32;
    private static final String TOPIC = "bench";

    @Param({"1", "10", "100", "1000"})
    public int subscribers;

    @Param({"sse", "ws"})
    public String transport;

    private final AtomicLong delivered = new AtomicLong();
    private volatile long awaited;
    private volatile Thread waiter;
    private MemoryEventStore store;
    private Hub hub;
    private List<NewEvent> batch;
    private List<Event> next;

    @Setup(Level.Trial)
    public void start() throws InterruptedException {
        store = new MemoryEventStore(10_000, InstantSource.system());
        hub = new Hub(
                store,
                new HubSettings(
                        64,
                        64,
                        100,
                        OverflowPolicy.CATCH_UP,
                        Duration.ofHours(1),
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(1)),
                System::nanoTime);
        batch = new ArrayList<>();
        String data = "{\"price\":\"" + "9".repeat(140) + "\"}"; // ~150 bytes, as in perf/fanout.sh
        for (int i = 0; i < BATCH; i++) {
            batch.add(new NewEvent(TOPIC, null, data, true));
        }
        CountDownLatch open = new CountDownLatch(subscribers);
        Transport kind = "ws".equals(transport) ? Transport.WS : Transport.SSE;
        for (int i = 0; i < subscribers; i++) {
            DiscardingSink sink = new DiscardingSink(kind, store.epoch(), open, this::flushed);
            Subscriber subscriber = hub.subscriber(kind, List.of(TOPIC), Map.of(), Set.of(), sink);
            Thread.ofVirtual().name(kind.code() + "-" + i).start(subscriber::run);
        }
        if (!open.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("subscribers did not open");
        }
    }

    @Setup(Level.Invocation)
    public void store() {
        next = store.append(batch);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void publishAndDrain(CpuTime cpu) {
        long cpuStart = CpuTime.process();
        awaited += (long) BATCH * subscribers;
        waiter = Thread.currentThread();
        hub.dispatchLocal(next);
        while (delivered.get() < awaited) {
            LockSupport.parkNanos(this, 1_000_000); // woken by the last flush; the timeout only guards a lost wake-up
        }
        cpu.cpuNanos += CpuTime.process() - cpuStart;
    }

    @TearDown(Level.Trial)
    public void stop() {
        hub.closeAll(CloseReason.SHUTDOWN);
        long overflows = hub.stats().overflows();
        long catchUps = hub.stats().catchUps();
        if (overflows != 0 || catchUps != 0 || delivered.get() != awaited) {
            throw new IllegalStateException("not the live path: " + overflows + " overflows, " + catchUps
                    + " catch-ups, " + delivered.get() + " of " + awaited + " deliveries");
        }
    }

    /** Called by each drain thread's flush with the events it wrote since its last flush. */
    private void flushed(int events) {
        if (delivered.addAndGet(events) >= awaited) {
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }
}
