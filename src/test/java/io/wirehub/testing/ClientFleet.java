package io.wirehub.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Thousands of idle SSE and WebSocket streams held by a second JVM: a process may hold 20,000
 * open files on these machines, and the server's end of each connection counts in the server's
 * process, so the clients' ends must not. It also keeps the clients' threads and memory out of
 * the server's counts.
 *
 * <p>The fleet opens every stream (each WebSocket upgraded, each SSE response started; the
 * WebSockets answer pings, the SSE streams are not read: idle clients), says so,
 * then on {@link #cut()} ends them all at once: even ones with a goodbye (a close frame, FIN),
 * odd ones with a TCP reset. Protocol on the child's stdin/stdout: {@code opened <n> <ms>}, then
 * {@code cut} → {@code cut <ms>}.
 */
public final class ClientFleet implements AutoCloseable {
    private static final int OPENING_AT_ONCE = 200; // stay under the server's accept backlog

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Writer commands;
    private final Duration openTook;

    private ClientFleet(Process process, Duration timeout) throws IOException, InterruptedException {
        this.process = process;
        this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
        Thread.ofVirtual().name("test-client-fleet-output").start(() -> {
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process ended
            } finally {
                lines.add("ended");
            }
        });
        this.openTook =
                Duration.ofMillis(Long.parseLong(expect("opened", timeout).split(" ")[2]));
    }

    /**
     * Starts a fleet of {@code sse} SSE and {@code ws} WebSocket streams on topics
     * {@code fleet.all} and {@code fleet.<i % topics>}; returns once all are open.
     */
    public static ClientFleet start(int port, int sse, int ws, int topics) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(
                        java,
                        "-Xmx512m",
                        "-XX:+UseSerialGC",
                        "-XX:TieredStopAtLevel=1",
                        "-cp",
                        System.getProperty("java.class.path"),
                        ClientFleet.class.getName(),
                        String.valueOf(port),
                        String.valueOf(sse),
                        String.valueOf(ws),
                        String.valueOf(topics))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            return new ClientFleet(process, Duration.ofSeconds(30 + (sse + ws) / 200));
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** How long opening every stream took. */
    public Duration openTook() {
        return openTook;
    }

    /** Ends every stream at once: half with a goodbye, half with a reset. */
    public void cut() throws IOException, InterruptedException {
        commands.write("cut\n");
        commands.flush();
        expect("cut", Duration.ofSeconds(60));
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt(); // the test is being stopped: leave the flag for it
        }
    }

    private String expect(String word, Duration timeout) throws InterruptedException {
        String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null || !line.startsWith(word)) {
            throw new AssertionError(
                    "the client fleet said " + line + " instead of '" + word + "' (see its stderr above)");
        }
        return line;
    }

    /** The child: {@code ClientFleet <port> <sse> <ws> <topics>}. */
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int sse = Integer.parseInt(args[1]);
        int ws = Integer.parseInt(args[2]);
        int topics = Integer.parseInt(args[3]);
        PrintStream out = System.out;
        long started = System.nanoTime();
        List<Socket> sockets = open(port, sse, ws, topics);
        out.println("opened " + sockets.size() + " " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        String command;
        while ((command = in.readLine()) != null) {
            if (command.equals("cut")) {
                long cutStarted = System.nanoTime();
                for (int i = 0; i < sockets.size(); i++) {
                    Socket socket = sockets.get(i);
                    if (i % 2 == 0) {
                        RawStreams.closeCleanly(socket, i >= sse);
                    } else {
                        RawStreams.reset(socket);
                    }
                }
                out.println("cut " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutStarted));
                out.flush();
            }
        }
    }

    private static List<Socket> open(int port, int sse, int ws, int topics) throws InterruptedException {
        Socket[] sockets = new Socket[sse + ws];
        AtomicReference<String> failure = new AtomicReference<>();
        Semaphore atOnce = new Semaphore(OPENING_AT_ONCE);
        try (ExecutorService openers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < sockets.length; i++) {
                int index = i;
                atOnce.acquire();
                openers.submit(() -> {
                    try {
                        boolean webSocket = index >= sse;
                        String query = "topic=fleet.all&topic=fleet." + (index % topics);
                        Socket socket = RawStreams.open(
                                port, webSocket ? RawStreams.webSocket(query) : RawStreams.sse(query, null));
                        sockets[index] = socket;
                        String head = RawStreams.readHead(socket);
                        if (!head.startsWith(webSocket ? "HTTP/1.1 101" : "HTTP/1.1 200")) {
                            failure.compareAndSet(
                                    null,
                                    "stream " + index + " answered: "
                                            + head.lines().findFirst().orElse("nothing"));
                        } else if (webSocket) {
                            Thread.ofVirtual()
                                    .start(() -> RawStreams.answerPings(socket)); // else the pong deadline closes it
                        }
                    } catch (IOException e) {
                        failure.compareAndSet(null, "stream " + index + ": " + e);
                    } finally {
                        atOnce.release();
                    }
                });
            }
        }
        if (failure.get() != null) {
            System.err.println("client fleet: " + failure.get());
            System.exit(1);
        }
        return new ArrayList<>(List.of(sockets));
    }
}
