package io.wirehub.perf;

import java.lang.management.ManagementFactory;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * CPU time spent inside the measured invocations, which a benchmark adds to {@link #cpuNanos};
 * JMH reports it as a rate next to the score, and {@link JmhRun} divides it by the ops rate: CPU
 * per op. Unlike the wall-clock score, it hardly moves when other processes take the cores, as
 * they do on the shared benchmark machine.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class CpuTime {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public long cpuNanos;

    @Setup(Level.Iteration)
    public void reset() {
        cpuNanos = 0; // JMH does not reset aux counters itself
    }

    /** Every thread of this JVM, GC included. */
    static long process() {
        return OS.getProcessCpuTime();
    }

    /** The calling thread only. */
    static long thread() {
        return THREADS.getCurrentThreadCpuTime();
    }
}
