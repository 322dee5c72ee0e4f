package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.wirehub.app.WireHub;
import io.wirehub.testing.Eventually;
import io.wirehub.testing.FreshSchema;
import io.wirehub.testing.FrontProxy;
import io.wirehub.testing.Http;
import io.wirehub.testing.InstalledTool;
import io.wirehub.testing.MainProcess;
import io.wirehub.testing.NodeJs;
import io.wirehub.testing.Slow;
import io.wirehub.testing.TestHubs;
import io.wirehub.testing.TestRedis;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The JavaScript client (src/main/js) against real servers, through Node's own test runner: this
 * class starts the servers and a control endpoint the Node tests call to kill, restart and drain
 * them, runs {@code node --test} on src/main/js/test, and fails with its report when a Node test
 * fails. The servers:
 *
 * <ul>
 *   <li>{@code WH_MEM}: the embedded default (memory store, no auth) as its own process, so that
 *       {@code POST /mem/kill-and-restart} can kill it (SIGKILL) and start it on the same port;
 *       {@code WH_MEM_FRONT} reaches it through a proxy that can lose one answer
 *       ({@code POST /mem/cut-next-answer});
 *   <li>{@code WH_A}, {@code WH_B}: two instances on PostgreSQL and Redis with JWT auth (secret
 *       {@code WH_SECRET}, no clock skew); {@code WH_AB_FRONT} is a load balancer that prefers A
 *       while it listens; {@code POST /a/drain} drains A (in the background), {@code POST /a/start}
 *       starts it again.
 * </ul>
 */
@Slow
class JsClientIT {
    @RegisterExtension
    static final FreshSchema schema = new FreshSchema();

    private static final String SECRET = "the-js-client-tests-secret-32-bytes!";
    private static final Duration NODE_TIMEOUT = Duration.ofMinutes(4);

    @Test
    void theClientsNodeTestsPassAgainstRealServers() throws Exception {
        int major = NodeJs.major();
        InstalledTool.require(
                major >= 20,
                "JsClientIT",
                "no Node.js 20 or newer (found " + (major == 0 ? "none" : "v" + major) + ")");
        NodeJs.installDevDependencies();

        Map<String, String> pgEnv = new HashMap<>(schema.env());
        pgEnv.putAll(TestRedis.env(TestRedis.channel()));
        pgEnv.putAll(Map.of(
                "WH_AUTH_MODE",
                "jwt",
                "WH_AUTH_JWT_SECRET",
                SECRET,
                "WH_AUTH_JWT_CLOCK_SKEW",
                "0s",
                "WH_RECONNECT_RETRY",
                "200ms",
                "WH_DRAIN_TIMEOUT",
                "5s"));
        int aPort = freePort();
        Map<String, String> aEnv = new HashMap<>(pgEnv);
        aEnv.put("WH_PORT", String.valueOf(aPort));
        try (MemoryProcess mem = new MemoryProcess(freePort());
                FrontProxy memFront = new FrontProxy(mem.port);
                WireHub b = TestHubs.start(pgEnv);
                Restartable a = new Restartable(aEnv);
                FrontProxy abFront = new FrontProxy(aPort, b.port())) {
            HttpServer control = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
            control.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            control.createContext("/mem/kill-and-restart", exchange -> answer(exchange, mem::killAndRestart));
            control.createContext("/mem/cut-next-answer", exchange -> answer(exchange, memFront::cutNextAnswer));
            control.createContext("/a/drain", exchange -> answer(exchange, a::drainInBackground));
            control.createContext("/a/start", exchange -> answer(exchange, a::start));
            control.start();
            try {
                Map<String, String> env = Map.of(
                        "WH_MEM", "http://127.0.0.1:" + mem.port + "/",
                        "WH_MEM_FRONT", "http://127.0.0.1:" + memFront.port() + "/",
                        "WH_A", "http://127.0.0.1:" + aPort + "/",
                        "WH_B", TestHubs.base(b) + "/",
                        "WH_AB_FRONT", "http://127.0.0.1:" + abFront.port() + "/",
                        "WH_SECRET", SECRET,
                        "WH_CONTROL", "http://127.0.0.1:" + control.getAddress().getPort() + "/");
                runNodeTests(major, env);
            } finally {
                control.stop(0);
            }
        }
    }

    private static void runNodeTests(int major, Map<String, String> env) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("node"));
        if (major < 22) {
            command.add("--experimental-websocket"); // Node 22 has a global WebSocket; 20 behind this flag
        }
        // One file at a time: they share the servers, and one kills the memory one.
        command.addAll(List.of("--test", "--test-concurrency=1", "--test-reporter=spec"));
        try (Stream<Path> files = Files.list(NodeJs.CLIENT_DIR.resolve("test"))) {
            files.map(Path::toString)
                    .filter(name -> name.endsWith(".test.js"))
                    .sorted()
                    .forEach(command::add);
        }
        Path report = Files.createTempFile("wirehub-node-test", ".txt");
        try {
            ProcessBuilder builder =
                    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(report.toFile());
            builder.environment().putAll(env);
            Process node = builder.start();
            boolean ended = node.waitFor(NODE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (!ended) {
                node.descendants().forEach(ProcessHandle::destroyForcibly);
                node.destroyForcibly().waitFor();
            }
            String out = Files.readString(report, StandardCharsets.UTF_8);
            System.out.println(out);
            assertEquals(true, ended, "node --test ended within " + NODE_TIMEOUT + ":\n" + out);
            assertEquals(0, node.exitValue(), "node --test: every test passes:\n" + out);
        } finally {
            Files.deleteIfExists(report);
        }
    }

    private interface Action {
        void run() throws Exception;
    }

    private static void answer(HttpExchange exchange, Action action) throws IOException {
        int status = 200;
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        try {
            action.run();
        } catch (Exception | AssertionError e) {
            status = 500;
            body = String.valueOf(e).getBytes(StandardCharsets.UTF_8);
        }
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static void awaitHealthy(String base) {
        Eventually.await(base + " healthy", Duration.ofSeconds(60), () -> {
            try {
                return Http.get(base + "/health").status() == 200;
            } catch (RuntimeException e) {
                return false;
            }
        });
    }

    /** The embedded default as an operator runs it, in a process of its own that can be killed. */
    private static final class MemoryProcess implements AutoCloseable {
        final int port;
        private MainProcess.Running running;

        MemoryProcess(int port) throws IOException {
            this.port = port;
            start();
        }

        private void start() throws IOException {
            running = MainProcess.start(
                    MainProcess.withDefaultConfig(),
                    Map.of(
                            "WH_PORT",
                            String.valueOf(port),
                            "WH_RECONNECT_RETRY",
                            "200ms",
                            "WH_HEARTBEAT_INTERVAL",
                            "2s"));
            awaitHealthy("http://127.0.0.1:" + port);
        }

        void killAndRestart() throws Exception {
            stop();
            start();
        }

        private void stop() throws IOException, InterruptedException {
            running.process().destroyForcibly().waitFor(); // SIGKILL: no drain, the streams just break
            Files.deleteIfExists(running.outFile());
            Files.deleteIfExists(running.errFile());
        }

        @Override
        public void close() throws IOException {
            try {
                stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** An in-process instance on a fixed port that can be drained and started again. */
    private static final class Restartable implements AutoCloseable {
        private final Map<String, String> env;
        private volatile WireHub hub;
        private volatile Thread draining;

        Restartable(Map<String, String> env) {
            this.env = env;
            this.hub = TestHubs.start(env);
        }

        void drainInBackground() {
            WireHub drained = hub;
            draining = Thread.ofVirtual().name("drain-a").start(drained::close);
        }

        void start() throws InterruptedException {
            if (draining != null) {
                draining.join();
            }
            hub = TestHubs.start(env);
        }

        @Override
        public void close() {
            try {
                if (draining != null) {
                    draining.join();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            hub.close();
        }
    }
}
