package io.wirehub.perf;

import io.wirehub.event.Cursor;
import io.wirehub.event.Event;
import io.wirehub.transport.sse.SseFrames;
import io.wirehub.transport.ws.WsFrames;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Encoding one event, in the two parts the design separates: what is built once per event and
 * shared by every subscriber ({@code *PerEvent}: a fresh Event, so nothing is cached yet), and
 * what each delivery adds for its own cursor ({@code *PerDelivery}, the shared part cached). The
 * data is a JSON document of the given size in bytes, ASCII, as published with JSON content.
 * Each invocation encodes {@link #BATCH} of them and adds its thread's CPU time to {@link CpuTime}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(FrameBench.BATCH)
public class FrameBench {
    // Frames per invocation: enough to make the thread CPU clock's cost (about a microsecond) vanish.
    static final int BATCH = 1000;

    @Param({"100", "1024", "10240"})
    public int payload;

    private final String epoch = "3f9a0c1e";
    private final String token = "1234567";
    private String data;
    private Event cached;

    @Setup
    public void data() {
        data = "{\"v\":\"" + "x".repeat(payload - 8) + "\"}";
        cached = new Event("prices", 1234567, null, data, true, 0);
        cached.encoded(SseFrames.BODY);
        cached.encoded(WsFrames.TAIL);
    }

    /** The SSE body (event and data lines), built once per event. */
    @Benchmark
    public void ssePerEvent(CpuTime cpu, Blackhole sink) {
        long start = CpuTime.thread();
        for (int i = 0; i < BATCH; i++) {
            sink.consume(new Event("prices", 1234567, null, data, true, 0).encoded(SseFrames.BODY));
        }
        cpu.cpuNanos += CpuTime.thread() - start;
    }

    /** The SSE id line each subscriber writes before the shared body. */
    @Benchmark
    public void ssePerDelivery(CpuTime cpu, Blackhole sink) {
        long start = CpuTime.thread();
        for (int i = 0; i < BATCH; i++) {
            sink.consume(SseFrames.idLine(Cursor.stamped(epoch, token)));
        }
        cpu.cpuNanos += CpuTime.thread() - start;
    }

    /** The WebSocket message's shared tail ({@code "event"} and {@code "data"}), built once per event. */
    @Benchmark
    public void wsPerEvent(CpuTime cpu, Blackhole sink) {
        long start = CpuTime.thread();
        for (int i = 0; i < BATCH; i++) {
            sink.consume(new Event("prices", 1234567, null, data, true, 0).encoded(WsFrames.TAIL));
        }
        cpu.cpuNanos += CpuTime.thread() - start;
    }

    /** The whole WebSocket message for one subscriber's cursor, as UTF-8 bytes: it copies the tail. */
    @Benchmark
    public void wsPerDelivery(CpuTime cpu, Blackhole sink) {
        long start = CpuTime.thread();
        for (int i = 0; i < BATCH; i++) {
            sink.consume(WsFrames.message(cached, Cursor.stamped(epoch, token)).getBytes(StandardCharsets.UTF_8));
        }
        cpu.cpuNanos += CpuTime.thread() - start;
    }
}
